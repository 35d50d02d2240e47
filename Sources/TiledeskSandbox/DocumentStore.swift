/// A document that belongs to a project through a stored `id_project` string (compared as
/// stored: these schemas keep the id exactly as the creating URL spelled it).
protocol ProjectDocument: Sendable {
    var id: String { get }
    var idProject: String? { get }
}

/// One collection: documents by id, and each project's documents in natural (insertion) order,
/// so lookups stay O(1) and lists O(project size).
struct DocumentStore<Document: ProjectDocument>: Sendable {
    private var documents: [String: Document] = [:]
    private var byProject: [String: OrderedIDs] = [:]

    subscript(id: String) -> Document? { documents[id] }

    /// Inserts a document, or replaces the one with its id (keeping its place unless it moved
    /// to another project).
    mutating func save(_ document: Document) {
        let old = documents.updateValue(document, forKey: document.id)
        guard old == nil || old?.idProject != document.idProject else { return }
        if let project = old?.idProject { byProject[project]?.remove(document.id) }
        if let project = document.idProject { byProject[project, default: OrderedIDs()].append(document.id) }
    }

    @discardableResult
    mutating func remove(_ id: String) -> Document? {
        guard let document = documents.removeValue(forKey: id) else { return nil }
        if let project = document.idProject { byProject[project]?.remove(id) }
        return document
    }

    /// `find({id_project: project})`, in natural order.
    func inProject(_ project: String) -> [Document] {
        var found: [Document] = []
        byProject[project]?.forEach { id in
            if let document = documents[id] { found.append(document) }
        }
        return found
    }
}
