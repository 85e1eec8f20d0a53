namespace VoiceMesh.Calls.CallRecordings;

/// <summary>Where a recording of the call stands in the Recordings service's archive; later values rank higher.</summary>
public enum CallRecordingStatus
{
    Archived,
    Purged,
}

/// <summary>The one conversion of <see cref="CallRecordingStatus"/> to the read model's strings (the Recordings read model's).</summary>
public static class CallRecordingStatusWire
{
    public static string ToWire(this CallRecordingStatus status) => status switch
    {
        CallRecordingStatus.Archived => "archived",
        CallRecordingStatus.Purged => "purged",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}

/// <summary>A recording of the call reached <see cref="Status"/> in the Recordings service (RecordingArchived, RecordingPurged).</summary>
public sealed record CallRecordingLinked(string CallSid, string RecordingSid, CallRecordingStatus Status, DateTimeOffset OccurredAt);

/// <summary>A recording of the call, as the call read model lists it.</summary>
public sealed record CallRecording(string RecordingSid, CallRecordingStatus Status);
