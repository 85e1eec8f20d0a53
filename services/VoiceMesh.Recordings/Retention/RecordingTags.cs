namespace VoiceMesh.Recordings.Retention;

/// <summary>
/// Tags label a recording for retention policies (e.g. <c>sales</c>, <c>eu</c>). They are set through the API, by the
/// system that knows what the call was about, and replace the recording's previous tags.
/// </summary>
public static class RecordingTags
{
    public const int MaxTags = 20;
    public const string Description = "A tag is 1-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.";

    public static bool IsValid(string? tag) =>
        tag is { Length: > 0 and <= 64 } && (char.IsAsciiLetterLower(tag[0]) || char.IsAsciiDigit(tag[0]))
        && tag.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-');
}
