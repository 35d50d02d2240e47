import HTTPCore

/// Something waiting for the upstream: served by priority, first come first served within one.
protocol QueuedRequest {
    /// Increases with arrival.
    var id: Int { get }
    var priority: RequestPriority { get }
}

extension Array where Element: QueuedRequest {
    /// The index of the waiter to serve next, or nil when none waits.
    var nextServed: Int? {
        indices.max { a, b in
            self[a].priority != self[b].priority ? self[a].priority < self[b].priority : self[a].id > self[b].id
        }
    }
}
