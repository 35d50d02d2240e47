import HTTPCore
import JSONCore
import JSONRPC
import Synchronization
import TiledeskAPI

/// One poller per watched project, shared by every subscription on it: it polls the team (trashed
/// members included) and the pending invitations with `If-None-Match`, at the interval of its most
/// eager subscriber, as background requests (served only when no caller request waits), diffs what
/// changed and tells every subscriber in one notification per poll. A failure is told once per
/// streak; the next success tells everything that changed since the last good poll. A rate-limited
/// poll is waited out, not told, and the next one waits twice as long while that lasts.
actor ProjectWatch {
    /// What a subscriber hears.
    enum Event: Sendable {
        case changed([JSON])
        case failed(RPCError)
    }

    struct Subscriber: Sendable {
        let interval: Double
        /// Hears each event, with the subscription's id.
        let deliver: @Sendable (_ subscription: String, Event) -> Void
    }

    let projectID: String
    private let client: TiledeskClient
    private var subscribers: [String: Subscriber] = [:]
    private var snapshot = WatchSnapshot(teammates: [], invitations: [])
    private var teamTag: String?
    private var invitationsTag: String?
    private var failing = false
    private var backoff = 1.0
    private var loop: Task<Void, Never>?

    init(projectID: String, client: TiledeskClient) {
        self.projectID = projectID
        self.client = client
    }

    var isEmpty: Bool { subscribers.isEmpty }

    /// Adds a subscriber after a fresh poll (whose changes the others hear), and answers the
    /// state it starts from.
    func add(_ id: String, _ subscriber: Subscriber) async throws -> WatchSnapshot {
        if !subscribers.isEmpty {
            let changes = try await poll()
            if !changes.isEmpty { tell(.changed(changes)) }
        } else {
            _ = try await poll()
        }
        subscribers[id] = subscriber
        if loop == nil { loop = Task { await self.run() } }
        return snapshot
    }

    /// Removes a subscriber; the last one stops the polling. False when it was not there.
    func remove(_ id: String) -> Bool {
        guard subscribers.removeValue(forKey: id) != nil else { return false }
        if subscribers.isEmpty {
            loop?.cancel()
            loop = nil
        }
        return true
    }

    private var interval: Double { (subscribers.values.map(\.interval).min() ?? 30) * backoff }

    private func run() async {
        while !Task.isCancelled {
            do {
                try await pause(seconds: min(interval, 86_400))
            } catch {
                return
            }
            await tick()
        }
    }

    /// One poll and what its subscribers hear of it.
    func tick() async {
        do {
            let changes = try await poll()
            failing = false
            backoff = 1
            if !changes.isEmpty { tell(.changed(changes)) }
        } catch is CancellationError {
            return
        } catch let error as TiledeskError where error.kind == .rateLimited {
            backoff = min(backoff * 2, 16)
        } catch {
            guard !failing else { return }
            failing = true
            tell(.failed(wireError(from: error)))
        }
    }

    private func tell(_ event: Event) {
        for (id, subscriber) in subscribers { subscriber.deliver(id, event) }
    }

    /// Reads what changed since the last poll; a list that did not change costs no diff (304).
    private func poll() async throws -> [JSON] {
        let team = try await client.sendConditional(.teammates(projectID, query: [("trashed", "true")]), ifNoneMatch: teamTag)
        let invitations = try await client.sendConditional(.invitations(projectID), ifNoneMatch: invitationsTag)
        var next = snapshot
        if case .modified(let value, let tag) = team {
            next.teammates = value.arrayValue ?? []
            teamTag = tag
        }
        if case .modified(let value, let tag) = invitations {
            next.invitations = value.arrayValue ?? []
            invitationsTag = tag
        }
        guard next != snapshot else { return [] }
        let changes = TeamDiff.changes(from: snapshot, to: next)
        snapshot = next
        return changes
    }
}

/// Every watch of the session: subscriptions by id, one `ProjectWatch` per project.
final class WatchHub: Sendable {
    private let client: TiledeskClient
    private let state = Mutex<(next: Int, watches: [String: ProjectWatch], owners: [String: String])>((0, [:], [:]))

    init(client: TiledeskClient) { self.client = client }

    /// Starts a subscription; answers its id and the state it starts from.
    func watch(projectID: String, interval: Double,
               deliver: @escaping @Sendable (_ subscription: String, ProjectWatch.Event) -> Void) async throws -> (String, WatchSnapshot) {
        let (id, watch) = state.withLock { s -> (String, ProjectWatch) in
            s.next += 1
            let id = "watch-\(s.next)"
            let watch = s.watches[projectID] ?? ProjectWatch(projectID: projectID, client: client)
            s.watches[projectID] = watch
            s.owners[id] = projectID
            return (id, watch)
        }
        do {
            return (id, try await watch.add(id, ProjectWatch.Subscriber(interval: interval, deliver: deliver)))
        } catch {
            _ = await unwatch(id)
            throw error
        }
    }

    /// Ends a subscription; false when there is none by that id.
    func unwatch(_ id: String) async -> Bool {
        guard let watch = state.withLock({ s in s.owners.removeValue(forKey: id).flatMap { s.watches[$0] } }) else { return false }
        let removed = await watch.remove(id)
        if await watch.isEmpty { state.withLock { s in if s.watches[watch.projectID] === watch { s.watches[watch.projectID] = nil } } }
        return removed
    }
}
