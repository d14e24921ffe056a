import Foundation
import Specs

/// `trivial`: the scheduler tests' stage: a marker file (its configuration), an optional delay, an optional failure.
public enum TrivialStage: StageKind {
    public static let id = "trivial"

    public struct Config: Decodable, OpenConfig {
        var delayMs: Double?
        var fail: Bool?
        enum CodingKeys: String, CodingKey { case delayMs = "delay_ms", fail }
    }

    public static func execute(_ c: Config, into folder: URL, context: RunContext) throws -> [String: Double] {
        if let delay = c.delayMs { Thread.sleep(forTimeInterval: delay / 1000) }
        if c.fail == true { throw RunFailure(message: "the stage was told to fail") }
        try (context.config?.canonicalJSON ?? Data()).write(to: folder.appendingPathComponent("config.json"))
        return [:]
    }
}
