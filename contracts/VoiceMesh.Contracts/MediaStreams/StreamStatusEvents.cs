namespace VoiceMesh.Contracts.MediaStreams;

/// <summary>Twilio's <c>StreamEvent</c> values on a stream status callback.</summary>
public static class StreamStatusEvents
{
    public const string Started = "stream-started";
    public const string Stopped = "stream-stopped";
    public const string Error = "stream-error";

    public static IReadOnlyList<string> All { get; } = [Started, Stopped, Error];
}
