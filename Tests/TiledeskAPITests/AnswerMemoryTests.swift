import Foundation
import Synchronization
import Testing
@testable import TiledeskAPI

/// Where an answer's bytes live while it arrives: its own pages (`AnswerBuffer`), and a delegate
/// queue that holds libcurl back rather than piling up chunks (`DeliveryQueue`).
@Suite struct AnswerMemoryTests {
    private static func chunk(_ byte: UInt8, _ count: Int) -> Data { Data(repeating: byte, count: count) }

    /// Chunks come back in order, across several growth steps (64 KiB, 128, 256, ...).
    @Test func anAnswerBufferKeepsEveryByteInOrderAsItGrows() {
        let buffer = AnswerBuffer(limit: 1 << 20)
        var expected = [UInt8]()
        for i in 0..<40 {
            let piece = Self.chunk(UInt8(i), 10_000 + i)
            #expect(buffer.append(piece))
            expected += piece
        }
        #expect(buffer.count == expected.count)
        #expect(buffer.bytes == expected)
    }

    /// Past its limit an append is refused and nothing of it is kept; an empty chunk is no byte.
    @Test func anAnswerBufferRefusesWhatWouldPassItsLimit() {
        let buffer = AnswerBuffer(limit: 100_000)
        #expect(buffer.append(Self.chunk(1, 99_999)))
        #expect(!buffer.append(Self.chunk(2, 2)))
        #expect(buffer.append(Data()))
        #expect(buffer.append(Self.chunk(3, 1)))
        #expect(buffer.count == 100_000)
        #expect(buffer.bytes.last == 3)
        #expect(!buffer.append(Self.chunk(4, 1)))
    }

    /// Released, it holds nothing and can take a new answer; an untouched one is empty.
    @Test func aReleasedAnswerBufferIsEmptyAndUsable() {
        let buffer = AnswerBuffer(limit: 1 << 20)
        #expect(buffer.bytes.isEmpty)
        #expect(buffer.append(Self.chunk(7, 300_000)))
        buffer.release()
        #expect(buffer.count == 0 && buffer.bytes.isEmpty)
        #expect(buffer.append(Self.chunk(8, 5)))
        #expect(buffer.bytes == [8, 8, 8, 8, 8])
    }

    /// Four endless bodies used to pile up megabytes of chunks queued for the delegate. A delivery
    /// that finds the queue full now waits until the delegate has caught up: it cannot return
    /// before the delivery blocking the queue is let go.
    @Test func aFullDeliveryQueueHoldsTheNextDeliveryBackUntilOneIsDone() {
        let queue = DeliveryQueue(mostWaiting: 2, longestHold: 30)
        let gate = DispatchSemaphore(value: 0)
        let events = Mutex<[String]>([])
        queue.addOperation { gate.wait() }
        queue.addOperation { events.withLock { $0.append("second ran") } }
        let added = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            queue.addOperation { events.withLock { $0.append("third ran") } }
            events.withLock { $0.append("third added") }
            added.signal()
        }
        usleep(100_000)
        events.withLock { $0.append("gate opened") }
        gate.signal()
        added.wait()
        queue.waitUntilAllOperationsAreFinished()
        let seen = events.withLock { $0 }
        #expect(seen.first == "gate opened", "\(seen)")
        #expect(seen.filter { $0.hasSuffix("ran") } == ["second ran", "third ran"], "\(seen)")
    }

    /// The hold is bounded: a delegate that never catches up delays a delivery, never loses it.
    @Test func aDeliveryIsHeldBackNoLongerThanTheLongestHold() {
        let queue = DeliveryQueue(mostWaiting: 1, longestHold: 0.05)
        let gate = DispatchSemaphore(value: 0)
        let ran = Mutex(false)
        queue.addOperation { gate.wait() }
        queue.addOperation { ran.withLock { $0 = true } }  // returns after the hold, gate still shut
        gate.signal()
        queue.waitUntilAllOperationsAreFinished()
        #expect(ran.withLock { $0 })
    }
}
