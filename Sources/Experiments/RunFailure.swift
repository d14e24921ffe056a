/// A run that cannot go on, said in words (a missing artifact, a choice its kind does not have).
struct RunFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
