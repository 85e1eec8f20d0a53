using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Lifecycle;

/// <summary>A recording's status at Twilio (REFERENCE §4.1 and the REST <c>status</c> enum).</summary>
public enum TwilioRecordingStatus
{
    InProgress,
    Paused,
    Stopped,
    Processing,
    Completed,
    Absent,
    Deleted,
    Failed,
}

/// <summary>The one conversion between <see cref="TwilioRecordingStatus"/> and Twilio's wire strings.</summary>
public static class TwilioRecordingStatusWire
{
    public static string ToWire(this TwilioRecordingStatus status) => status switch
    {
        TwilioRecordingStatus.InProgress => "in-progress",
        TwilioRecordingStatus.Paused => "paused",
        TwilioRecordingStatus.Stopped => "stopped",
        TwilioRecordingStatus.Processing => "processing",
        TwilioRecordingStatus.Completed => "completed",
        TwilioRecordingStatus.Absent => "absent",
        TwilioRecordingStatus.Deleted => "deleted",
        TwilioRecordingStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static TwilioRecordingStatus Parse(string wire) =>
        WireValues.TryParse<TwilioRecordingStatus>(wire, ToWire, out var status)
            ? status
            : throw new ArgumentException($"'{wire}' is not a Twilio recording status.", nameof(wire));

    /// <summary>Twilio is done with the recording: its media is final, or there is none.</summary>
    public static bool IsFinal(this TwilioRecordingStatus status) =>
        status is TwilioRecordingStatus.Completed or TwilioRecordingStatus.Absent or TwilioRecordingStatus.Deleted or TwilioRecordingStatus.Failed;
}

/// <summary>Where VoiceMesh's copy of a recording stands (the read model's <c>status</c>).</summary>
public enum ArchiveStatus
{
    Reported,
    Archiving,
    Archived,
    Failed,
    Purged,
}

/// <summary>The one conversion of <see cref="ArchiveStatus"/> to the read model's strings.</summary>
public static class ArchiveStatusWire
{
    public static string ToWire(this ArchiveStatus status) => status switch
    {
        ArchiveStatus.Reported => "reported",
        ArchiveStatus.Archiving => "archiving",
        ArchiveStatus.Archived => "archived",
        ArchiveStatus.Failed => "failed",
        ArchiveStatus.Purged => "purged",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
