/// Surface normals used for lighting.
public enum Shading: String, Sendable, CaseIterable {
    /// Per-vertex normals (the mesh's own, else area-weighted ones) interpolated across faces.
    case smooth
    /// One normal per face, (b − a) × (c − a): facets show, and a planar face is one colour.
    case flat
}

/// A directional light fixed to the camera (so every view is lit alike): `direction` points from
/// the surface towards the light, in camera coordinates (x right, y up, z towards the viewer).
public struct CameraLight: Sendable, Equatable {
    public var direction: SIMD3<Float>
    public var intensity: Float
    public init(direction: SIMD3<Float>, intensity: Float) { self.direction = direction; self.intensity = intensity }
}

/// Everything about the look of a render except the camera.
///
/// Colours are sRGB in [0, 1]; lighting is computed in linear light (sRGB decoded, lit, averaged
/// over the supersamples, re-encoded), so anti-aliased edges and shading ramps are not darkened.
/// Lighting model: ambient + Σ lights (Lambert diffuse + Blinn–Phong specular with an infinitely
/// distant viewer, i.e. the view vector is the camera's −forward at every pixel, as in OpenGL's
/// default light model — so a flat-shaded planar face is exactly one colour).
/// Back faces (seen from behind, normal pointing away from the eye) are lit with their normal
/// flipped and tinted `backColor`, so open surfaces and inverted faces stay readable.
public struct RenderOptions: Sendable, Equatable {
    /// Output size in pixels.
    public var width: Int = 512
    public var height: Int = 512
    /// Samples per pixel along each axis (1 = aliased, 2 = 2×2 supersampling, up to 4). Samples
    /// sit at the centres of a regular `s × s` sub-grid of each pixel.
    public var supersampling: Int = 2
    public var shading: Shading = .smooth
    /// Draws the visible triangle edges over the shading.
    public var wireframe: Bool = false
    /// Wire width in output pixels.
    public var wireWidth: Float = 1
    public var frontColor: SIMD3<Float> = [0.74, 0.78, 0.86]
    public var backColor: SIMD3<Float> = [0.90, 0.45, 0.22]
    public var wireColor: SIMD3<Float> = [0.10, 0.12, 0.16]
    public var background: SIMD3<Float> = [1, 1, 1]
    /// Writes coverage into the image's alpha channel (background fully transparent; colours of
    /// edge pixels are the mean of their covered samples, i.e. straight alpha).
    public var transparentBackground: Bool = false
    /// Key light from the upper left, fill light from the right, both slightly from the front.
    public var lights: [CameraLight] = [
        CameraLight(direction: [-0.45, 0.6, 0.66], intensity: 0.85),
        CameraLight(direction: [0.7, -0.05, 0.7], intensity: 0.3),
    ]
    public var ambient: Float = 0.12
    public var specular: Float = 0.22
    public var shininess: Float = 40

    public init(width: Int = 512, height: Int = 512, supersampling: Int = 2, shading: Shading = .smooth, wireframe: Bool = false) {
        self.width = width; self.height = height; self.supersampling = supersampling
        self.shading = shading; self.wireframe = wireframe
    }

    /// Throws `RenderingError.invalidOption` for sizes or factors outside the supported range.
    public func validate() throws {
        guard (1...16384).contains(width), (1...16384).contains(height) else {
            throw RenderingError.invalidOption("image size \(width)×\(height) must be within 1…16384 per side")
        }
        guard (1...4).contains(supersampling) else {
            throw RenderingError.invalidOption("supersampling \(supersampling) must be 1…4")
        }
        guard width * height * supersampling * supersampling <= 1 << 26 else {
            throw RenderingError.invalidOption("\(width)×\(height) at \(supersampling)×\(supersampling) supersampling is over 64M samples")
        }
    }
}

/// Optional surface colours (sRGB in [0, 1]); they replace `RenderOptions.frontColor` on front
/// faces. Back faces keep `backColor`, so the inside of an open surface stays recognizable.
public enum SurfaceColors: Sendable, Equatable {
    /// `frontColor` everywhere.
    case uniform
    /// F colours, one per face (index order of `mesh.triangles`).
    case perFace([SIMD3<Float>])
    /// V colours, one per vertex, interpolated perspective-correctly (in linear light).
    case perVertex([SIMD3<Float>])

    /// Throws `RenderingError.invalidOption` when the count does not match `mesh`.
    public func validate(faceCount: Int, vertexCount: Int) throws {
        switch self {
        case .uniform: return
        case let .perFace(c) where c.count != faceCount:
            throw RenderingError.invalidOption("\(c.count) face colours for \(faceCount) faces")
        case let .perVertex(c) where c.count != vertexCount:
            throw RenderingError.invalidOption("\(c.count) vertex colours for \(vertexCount) vertices")
        default: return
        }
    }
}
