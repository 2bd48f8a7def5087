import Foundation
internal import Logging
internal import NIOCore
internal import NIOPosix
internal import PostgresNIO

/// The ledger protocol is synchronous and is called from plain threads (the CLI) and from Swift-concurrency tasks,
/// possibly on NIO event-loop threads (the server). So PostgreSQL is reached through postgres-nio's EventLoopFuture
/// API on the ledger's own one-thread event-loop group, and the caller blocks on a semaphore until the future
/// completes (never `future.wait()`, which traps on any event-loop thread). A caller's thread is never one of the
/// ledger's own loop, so this cannot deadlock; no caller code runs on the loop.
func blockOn<T>(_ future: EventLoopFuture<T>) throws -> T {
    let box = FutureResult<T>()
    let done = DispatchSemaphore(value: 0)
    future.whenComplete { box.result = $0; done.signal() }
    done.wait()
    return try box.result!.get()
}

private final class FutureResult<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

/// A row of a PostgreSQL result, converted to engine-neutral values on the caller's thread.
struct PostgresLedgerRow: LedgerRow {
    final class Columns: @unchecked Sendable {
        let names: [String]
        let index: [String: Int]
        init(_ names: [String]) {
            self.names = names
            var index: [String: Int] = [:]
            for (i, n) in names.enumerated() where index[n] == nil { index[n] = i }
            self.index = index
        }
    }
    let columns: Columns
    let values: [LedgerValue]

    func value(_ column: String) -> LedgerValue { columns.index[column].map { values[$0] } ?? .null }
    func optionalText(_ column: String) -> String? {
        switch value(column) {
        case .text(let s): return s
        case .integer(let i): return String(i)
        default: return nil
        }
    }
    func optionalInt64(_ column: String) -> Int64? {
        switch value(column) {
        case .integer(let i): return i
        case .text(let s): return Int64(s)
        default: return nil
        }
    }
    func optionalBlob(_ column: String) -> Data? {
        if case .blob(let d) = value(column) { return d }
        return nil
    }

    static func rows(_ result: some Sequence<PostgresRow>) throws -> [PostgresLedgerRow] {
        var columns: Columns?
        var out: [PostgresLedgerRow] = []
        for row in result {
            let cols = columns ?? Columns(row.map(\.columnName))
            columns = cols
            var values: [LedgerValue] = []
            values.reserveCapacity(cols.names.count)
            for cell in row { values.append(try value(cell)) }
            out.append(PostgresLedgerRow(columns: cols, values: values))
        }
        return out
    }

    static func value(_ cell: PostgresCell) throws -> LedgerValue {
        guard let bytes = cell.bytes else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2: return .integer(try cell.decode(Int64.self))
        case .bytea where cell.format == .binary: return .blob(Data(bytes.readableBytesView))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .void: return .null
        default: return .text(try cell.decode(String.self))
        }
    }
}

extension PostgresBindings {
    init(_ values: [LedgerValue]) {
        self.init(capacity: values.count)
        for v in values {
            switch v {
            case .null: appendNull()
            case .integer(let i): append(i)
            case .text(let s): append(s)
            case .blob(let d): append(ByteBuffer(bytes: d))
            }
        }
    }
}

/// One checked-out connection, used by one caller at a time.
final class PostgresSession {
    let connection: PostgresConnection
    let logger: Logger
    /// Statements sent so far: a connection that failed on the first one (BEGIN) can be retried safely.
    private(set) var statements = 0

    init(_ connection: PostgresConnection, logger: Logger) { self.connection = connection; self.logger = logger }

    private func run(_ sql: String, _ binds: [LedgerValue]) throws -> PostgresQueryResult {
        statements += 1
        return try blockOn(connection.query(PostgresQuery(unsafeSQL: sql, binds: PostgresBindings(binds)), logger: logger))
    }

    /// Rows of a statement, collected.
    func query(_ sql: String, _ binds: [LedgerValue] = []) throws -> [PostgresLedgerRow] {
        try PostgresLedgerRow.rows(try run(sql, binds))
    }

    func one(_ sql: String, _ binds: [LedgerValue] = []) throws -> PostgresLedgerRow? { try query(sql, binds).first }

    /// Runs a statement; the rows it affected (INSERT/UPDATE/DELETE), 0 otherwise. Its result rows are not decoded.
    @discardableResult
    func execute(_ sql: String, _ binds: [LedgerValue] = []) throws -> Int {
        try run(sql, binds).metadata.rows ?? 0
    }

    private var cursors = 0
    /// Streams a query's rows in constant memory through a server-side cursor, `fetch` rows per round trip, calling
    /// `body` on the caller's thread until it returns false. Only inside a transaction.
    func stream(_ sql: String, _ binds: [LedgerValue] = [], fetch: Int = 2000, _ body: (PostgresLedgerRow) throws -> Bool) throws {
        cursors += 1
        let name = "ledger_cursor_\(cursors)"
        try execute("DECLARE \(name) NO SCROLL CURSOR FOR \(sql)", binds)
        defer { _ = try? execute("CLOSE \(name)") }
        while true {
            let rows = try query("FETCH FORWARD \(fetch) FROM \(name)")
            for r in rows { guard try body(r) else { return } }
            if rows.count < fetch { return }
        }
    }
}

/// Up to `capacity` connections, each used by one caller at a time, so that concurrent callers do not serialize on
/// one socket. A broken connection is closed and replaced by a new one on the next checkout.
final class PostgresPool: @unchecked Sendable {
    let group: MultiThreadedEventLoopGroup
    let configuration: PostgresConnection.Configuration
    let logger: Logger
    let capacity: Int
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var nextID = 0
    private var closed = false

    init(configuration: PostgresConnection.Configuration, capacity: Int) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.configuration = configuration
        self.capacity = capacity
        logger = Logger(label: "matter-ca.ledger.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    func withSession<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        let connection = try checkout()
        let session = PostgresSession(connection, logger: logger)
        var reusable = false
        defer { checkin(connection, reusable: reusable && !connection.isClosed) }
        do {
            let r = try body(session)
            reusable = true
            return r
        } catch {
            // A server's refusal or the caller's own error leaves the connection usable (the transaction was rolled
            // back); a connection-level failure does not.
            if let e = error as? PSQLError { reusable = e.code == .server } else { reusable = true }
            throw error
        }
    }

    private func checkout() throws -> PostgresConnection {
        condition.lock()
        while true {
            if closed { condition.unlock(); throw LedgerError.unavailable("the ledger was closed") }
            if let c = idle.popLast() {
                if c.isClosed { open -= 1; continue }
                condition.unlock()
                return c
            }
            if open < capacity {
                open += 1
                nextID += 1
                let id = nextID
                condition.unlock()
                do {
                    return try blockOn(PostgresConnection.connect(on: group.next(), configuration: configuration, id: id, logger: logger))
                } catch {
                    condition.lock(); open -= 1; condition.signal(); condition.unlock()
                    throw error
                }
            }
            condition.wait()
        }
    }

    private func checkin(_ connection: PostgresConnection, reusable: Bool) {
        condition.lock()
        if reusable && !closed { idle.append(connection) } else { open -= 1; Self.close(connection) }
        condition.signal()
        condition.unlock()
    }

    /// Closes the idle connections and stops the event loop (without blocking: this may run on any thread).
    func shutdown() {
        condition.lock()
        if closed { condition.unlock(); return }
        closed = true
        let connections = idle
        idle = []
        condition.broadcast()
        condition.unlock()
        let group = self.group
        let closing = connections.map { c -> EventLoopFuture<Void> in c.close() }
        EventLoopFuture.andAllComplete(closing, on: group.next()).whenComplete { _ in
            // The connections live until they are closed (postgres-nio asserts it).
            withExtendedLifetime(connections) {}
            DispatchQueue.global().async { group.shutdownGracefully(queue: .global()) { _ in } }
        }
    }

    /// Closes a connection and keeps it alive until it is closed.
    private static func close(_ connection: PostgresConnection) {
        let closing: EventLoopFuture<Void> = connection.close()
        closing.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    deinit { shutdown() }
}
