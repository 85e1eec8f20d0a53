namespace VoiceMesh.Recordings.Storage;

/// <summary>The metadata every backend stores on a recording blob, under the same lower-case names.</summary>
internal static class BlobMetadata
{
    public const string AccountSid = "accountsid";
    public const string CallSid = "callsid";
    public const string ConferenceSid = "conferencesid";
    public const string RecordingSid = "recordingsid";
    public const string Sha256 = "sha256";

    /// <summary>The metadata of a blob; <paramref name="sha256"/> is null while it is not known yet.</summary>
    public static Dictionary<string, string> Of(RecordingBlobMetadata metadata, string? sha256)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [AccountSid] = metadata.AccountSid,
            [RecordingSid] = metadata.RecordingSid,
        };
        if (metadata.CallSid is { } callSid)
        {
            values[CallSid] = callSid;
        }

        if (metadata.ConferenceSid is { } conferenceSid)
        {
            values[ConferenceSid] = conferenceSid;
        }

        if (sha256 is not null)
        {
            values[Sha256] = sha256;
        }

        return values;
    }
}
