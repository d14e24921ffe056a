import Foundation

/// A linear-chain CRF over per-position emission scores (Lafferty et al. 2001; the output layer of Lample et al. 2016's
/// BiLSTM-CRF tagger). A tag sequence y scores start[y₀] + Σₜ emissions[rₜ, yₜ] + Σₜ transitions[yₜ₋₁, yₜ] + end[y_last],
/// as pytorch-crf's `CRF` scores it; a sequence is the rows rₜ of the emission matrix [N, C] that it names, in order.
public enum LinearChainCRF {
    /// What the backward pass needs: each sequence's forward and backward log-potentials and log-partition.
    public struct Saved {
        let alpha: [[Double]]
        let beta: [[Double]]
        let logPartition: [Double]
        let count: Int
    }

    /// The negative log-likelihood of `tags` under the CRF, summed over the sequences and divided by their positions
    /// (pytorch-crf's `reduction="token_mean"`, negated); a sequence without positions adds nothing.
    public static func forward(emissions: Tensor, transitions: Tensor, start: Tensor, end: Tensor,
                               sequences: [[Int]], tags: [[Int32]]) -> (loss: Float, saved: Saved) {
        let classes = emissions.columns
        precondition(transitions.shape == [classes, classes] && start.count == classes && end.count == classes,
                     "CRF parameters must be [\(classes), \(classes)], [\(classes)] and [\(classes)]")
        precondition(sequences.count == tags.count && zip(sequences, tags).allSatisfy { $0.count == $1.count },
                     "one tag for each position of each sequence")
        let e = emissions.data, tr = transitions.data
        var alphas: [[Double]] = [], betas: [[Double]] = [], partitions: [Double] = []
        var total = 0.0, count = 0
        for (rows, y) in zip(sequences, tags) {
            let (alpha, beta, logZ) = potentials(rows, emissions: e, transitions: tr, start: start.data, end: end.data, classes: classes)
            alphas.append(alpha); betas.append(beta); partitions.append(logZ)
            guard let first = rows.first else { continue }
            for tag in y { precondition(tag >= 0 && Int(tag) < classes, "tag \(tag) outside 0..<\(classes)") }
            var score = Double(start.data[Int(y[0])]) + Double(e[first * classes + Int(y[0])])
            for t in 1..<rows.count {
                score += Double(tr[Int(y[t - 1]) * classes + Int(y[t])]) + Double(e[rows[t] * classes + Int(y[t])])
            }
            score += Double(end.data[Int(y[rows.count - 1])])
            total += logZ - score
            count += rows.count
        }
        return (count == 0 ? 0 : Float(total / Double(count)), Saved(alpha: alphas, beta: betas, logPartition: partitions, count: count))
    }

    /// Adds the loss's gradient, scaled by `upstream`, to each parameter buffer given: marginals minus the gold
    /// sequence's indicators (forward–backward), divided by the positions.
    public static func backward(saved: Saved, emissions: Tensor, transitions: Tensor, sequences: [[Int]], tags: [[Int32]], upstream: Float,
                                dEmissions: Tensor?, dTransitions: Tensor?, dStart: Tensor?, dEnd: Tensor?) {
        guard saved.count > 0 else { return }
        let classes = emissions.columns, e = emissions.data, tr = transitions.data
        let scale = Double(upstream) / Double(saved.count)
        for (s, (rows, y)) in zip(sequences, tags).enumerated() where !rows.isEmpty {
            let alpha = saved.alpha[s], beta = saved.beta[s], logZ = saved.logPartition[s], last = rows.count - 1
            for t in 0..<rows.count {
                for j in 0..<classes {
                    let marginal = exp(alpha[t * classes + j] + beta[t * classes + j] - logZ)
                    let d = scale * (marginal - (Int(y[t]) == j ? 1 : 0))
                    dEmissions?.data[rows[t] * classes + j] += Float(d)
                    if t == 0 { dStart?.data[j] += Float(d) }
                    if t == last { dEnd?.data[j] += Float(d) }
                }
            }
            guard let dTransitions else { continue }
            for t in 1..<rows.count {
                for i in 0..<classes {
                    for j in 0..<classes {
                        let pair = exp(alpha[(t - 1) * classes + i] + Double(tr[i * classes + j]) + Double(e[rows[t] * classes + j])
                                       + beta[t * classes + j] - logZ)
                        dTransitions.data[i * classes + j] += Float(scale * pair)
                    }
                }
                dTransitions.data[Int(y[t - 1]) * classes + Int(y[t])] -= Float(scale)
            }
        }
    }

    /// The highest-scoring tag sequence of each sequence (Viterbi); ties go to the lower tag.
    public static func decode(emissions: Tensor, transitions: Tensor, start: Tensor, end: Tensor, sequences: [[Int]]) -> [[Int32]] {
        let classes = emissions.columns, e = emissions.data, tr = transitions.data
        return sequences.map { rows -> [Int32] in
            guard let first = rows.first else { return [] }
            var score = (0..<classes).map { Double(start.data[$0]) + Double(e[first * classes + $0]) }
            var back = [[Int32]](repeating: [], count: rows.count)
            for t in 1..<rows.count {
                var next = [Double](repeating: 0, count: classes), from = [Int32](repeating: 0, count: classes)
                for j in 0..<classes {
                    var best = -Double.infinity, arg = 0
                    for i in 0..<classes where score[i] + Double(tr[i * classes + j]) > best {
                        best = score[i] + Double(tr[i * classes + j]); arg = i
                    }
                    next[j] = best + Double(e[rows[t] * classes + j]); from[j] = Int32(arg)
                }
                score = next; back[t] = from
            }
            var tag = 0
            for j in 1..<classes where score[j] + Double(end.data[j]) > score[tag] + Double(end.data[tag]) { tag = j }
            var path = [Int32](repeating: 0, count: rows.count)
            path[rows.count - 1] = Int32(tag)
            for t in stride(from: rows.count - 1, to: 0, by: -1) { path[t - 1] = back[t][Int(path[t])] }
            return path
        }
    }

    /// Forward log-potentials α [L·C] (start included), backward β [L·C] (end included) and log Z of one sequence.
    static func potentials(_ rows: [Int], emissions e: UnsafeMutablePointer<Float>, transitions tr: UnsafeMutablePointer<Float>,
                           start: UnsafeMutablePointer<Float>, end: UnsafeMutablePointer<Float>, classes: Int) -> ([Double], [Double], Double) {
        let length = rows.count
        guard length > 0 else { return ([], [], 0) }
        var alpha = [Double](repeating: 0, count: length * classes), beta = alpha
        var terms = [Double](repeating: 0, count: classes)
        for j in 0..<classes { alpha[j] = Double(start[j]) + Double(e[rows[0] * classes + j]) }
        for t in 1..<length {
            for j in 0..<classes {
                for i in 0..<classes { terms[i] = alpha[(t - 1) * classes + i] + Double(tr[i * classes + j]) }
                alpha[t * classes + j] = logSumExp(terms) + Double(e[rows[t] * classes + j])
            }
        }
        for j in 0..<classes { beta[(length - 1) * classes + j] = Double(end[j]) }
        for t in stride(from: length - 2, through: 0, by: -1) {
            for i in 0..<classes {
                for j in 0..<classes {
                    terms[j] = Double(tr[i * classes + j]) + Double(e[rows[t + 1] * classes + j]) + beta[(t + 1) * classes + j]
                }
                beta[t * classes + i] = logSumExp(terms)
            }
        }
        let logZ = logSumExp((0..<classes).map { alpha[(length - 1) * classes + $0] + Double(end[$0]) })
        return (alpha, beta, logZ)
    }

    static func logSumExp(_ x: [Double]) -> Double {
        let peak = x.max() ?? 0
        guard peak.isFinite else { return peak }
        return peak + log(x.reduce(0) { $0 + exp($1 - peak) })
    }
}
