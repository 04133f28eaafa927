/// The 55 ShapeNetCore synsets (WordNet 3.0 noun offsets) and their names, as in ShapeNetCore v2's
/// taxonomy.json (first name = the short category name used on the command line; the other
/// comma-separated names are accepted as aliases).
public enum ShapeNetSynsets {
    /// (synset id, names), sorted by id.
    public static let table: [(id: String, names: [String])] = [
        ("02691156", ["airplane", "aeroplane", "plane"]),
        ("02747177", ["trash bin", "ashcan", "trash can", "garbage can", "wastebin", "ash bin"]),
        ("02773838", ["bag", "traveling bag", "travelling bag", "grip", "suitcase"]),
        ("02801938", ["basket", "handbasket"]),
        ("02808440", ["bathtub", "bathing tub", "bath", "tub"]),
        ("02818832", ["bed"]),
        ("02828884", ["bench"]),
        ("02843684", ["birdhouse"]),
        ("02871439", ["bookshelf"]),
        ("02876657", ["bottle"]),
        ("02880940", ["bowl"]),
        ("02924116", ["bus", "autobus", "coach", "charabanc"]),
        ("02933112", ["cabinet"]),
        ("02942699", ["camera", "photographic camera"]),
        ("02946921", ["can", "tin", "tin can"]),
        ("02954340", ["cap"]),
        ("02958343", ["car", "auto", "automobile", "machine", "motorcar"]),
        ("02992529", ["cellphone", "cellular telephone", "cellular phone", "mobile phone"]),
        ("03001627", ["chair"]),
        ("03046257", ["clock"]),
        ("03085013", ["keyboard", "computer keyboard", "keypad"]),
        ("03207941", ["dishwasher", "dish washer", "dishwashing machine"]),
        ("03211117", ["display", "video display"]),
        ("03261776", ["earphone", "earpiece", "headphone", "phone"]),
        ("03325088", ["faucet", "spigot"]),
        ("03337140", ["file cabinet", "file", "filing cabinet"]),
        ("03467517", ["guitar"]),
        ("03513137", ["helmet"]),
        ("03593526", ["jar"]),
        ("03624134", ["knife"]),
        ("03636649", ["lamp"]),
        ("03642806", ["laptop", "laptop computer"]),
        ("03691459", ["loudspeaker", "speaker", "speaker unit", "loudspeaker system", "speaker system"]),
        ("03710193", ["mailbox", "letter box"]),
        ("03759954", ["microphone", "mike"]),
        ("03761084", ["microwave", "microwave oven"]),
        ("03790512", ["motorbike", "motorcycle"]),
        ("03797390", ["mug"]),
        ("03928116", ["piano", "pianoforte", "forte-piano"]),
        ("03938244", ["pillow"]),
        ("03948459", ["pistol", "handgun", "side arm", "shooting iron"]),
        ("03991062", ["pot", "flowerpot"]),
        ("04004475", ["printer", "printing machine"]),
        ("04074963", ["remote", "remote control"]),
        ("04090263", ["rifle"]),
        ("04099429", ["rocket", "projectile"]),
        ("04225987", ["skateboard"]),
        ("04256520", ["sofa", "couch", "lounge"]),
        ("04330267", ["stove"]),
        ("04379243", ["table"]),
        ("04401088", ["telephone", "phone", "telephone set"]),
        ("04460130", ["tower"]),
        ("04468005", ["train", "railroad train"]),
        ("04530566", ["vessel", "watercraft"]),
        ("04554684", ["washer", "automatic washer", "washing machine"]),
    ]

    /// Short name of a synset id (nil when not in the table).
    public static func name(of synset: String) -> String? { table.first { $0.id == synset }?.names.first }

    /// True for an 8-digit string (the shape of a WordNet noun offset).
    public static func looksLikeSynset(_ s: String) -> Bool { s.count == 8 && s.allSatisfy { $0.isASCII && $0.isNumber } }
}
