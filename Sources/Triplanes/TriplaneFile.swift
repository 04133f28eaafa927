import ArrayIO
import Foundation
import TensorCore

/// Triplanes on disk: one float32 `.npy` of shape (3, C, R, R) per object — NFD's layout, planes
/// (x,y), (y,z), (x,z) in that order, each C × R × R with R along both axes (v rows, u columns).
/// numpy reads them as `np.load(path)`; PyTorch as `torch.from_numpy(np.load(path))`.
public enum TriplaneFile {
    /// Reads planes; float16/float64 files are converted to Float32. Throws `TriplaneError.badPlanes`
    /// for an unreadable file, an integer or boolean dtype, a rank other than 4, a first axis other
    /// than 3, non-square planes, or non-finite values; and `planesMismatch` when `expected`
    /// (a configuration's `planeShape`) is given and differs.
    public static func read(_ path: String, expected: [Int]? = nil) throws -> Tensor {
        let a: NpyArray
        do { a = try Npy.read(path) } catch { throw TriplaneError.badPlanes(path: path, reason: "\(error)") }
        guard a.dtype.isFloatingPoint else { throw TriplaneError.badPlanes(path: path, reason: "dtype \(a.dtype.descr), expected float32") }
        guard a.rank == 4, a.shape[0] == 3, a.shape[2] == a.shape[3], a.shape[1] >= 1, a.shape[2] >= 2 else {
            throw TriplaneError.badPlanes(path: path, reason: "shape \(a.shape), expected (3, C, R, R) with C ≥ 1, R ≥ 2")
        }
        let t: Tensor
        do { t = try Tensor(npy: a) } catch { throw TriplaneError.badPlanes(path: path, reason: "\(error)") }
        if t.scalars.contains(where: { !$0.isFinite }) { throw TriplaneError.badPlanes(path: path, reason: "non-finite values") }
        if let e = expected, e != t.shape { throw TriplaneError.planesMismatch(expected: e, actual: t.shape) }
        return t
    }

    /// Writes planes [3, C, R, R] as float32 `.npy`, atomically.
    public static func write(_ planes: Tensor, to path: String) throws {
        precondition(planes.rank == 4 && planes.shape[0] == 3, "TriplaneFile.write: planes \(planes.shape)")
        try planes.save(npy: path)
    }
}
