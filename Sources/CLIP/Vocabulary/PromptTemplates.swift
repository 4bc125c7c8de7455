/// The prompt templates FC-CLIP wraps every synonym in before text encoding.
public enum PromptTemplates {
    /// The 14 "ViLD" templates, in FC-CLIP's order and with its exact punctuation
    /// (fcclip-inference.md §4.3): templates 2 to 5 have no final period. `{}` stands for the
    /// synonym; capitalization does not matter because the tokenizer lowercases.
    public static let vild: [String] = [
        "a photo of a {}.",
        "This is a photo of a {}",
        "There is a {} in the scene",
        "There is the {} in the scene",
        "a photo of a {} in the scene",
        "a photo of a small {}.",
        "a photo of a medium {}.",
        "a photo of a large {}.",
        "This is a photo of a small {}.",
        "This is a photo of a medium {}.",
        "This is a photo of a large {}.",
        "There is a small {} in the scene.",
        "There is a medium {} in the scene.",
        "There is a large {} in the scene.",
    ]
}
