import GRDB
import Tracking

extension RunRecord {
    /// Inserts the run into a database an earlier migration left, without the columns later ones added (`columns`).
    mutating func insert(_ db: Database, leavingOut columns: Set<String>) throws {
        let values = try databaseDictionary.filter { !columns.contains($0.key) && !($0.key == "id" && $0.value.isNull) }
        let names = values.keys.sorted()
        try db.execute(sql: "INSERT INTO runs (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))",
                       arguments: StatementArguments(names.map { values[$0]! }))
        id = db.lastInsertedRowID
    }
}
