namespace VoiceMesh.TwilioSimulator.Recordings;

/// <summary>A finished call recording; <paramref name="Source"/> is <c>OutboundAPI</c>, <c>RecordVerb</c> or <c>DialVerb</c>.</summary>
internal sealed record SimRecording(
    string Sid, string AccountSid, string CallSid, DateTimeOffset DateCreated, DateTimeOffset StartTime, int DurationSeconds,
    string Source = "OutboundAPI");

/// <summary>Recordings made by calls created with <c>Record=true</c> and by TwiML <c>&lt;Record&gt;</c>/<c>&lt;Dial record&gt;</c>; thread-safe.</summary>
internal sealed class RecordingStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SimRecording> _recordings = new(StringComparer.Ordinal);

    public void Add(SimRecording recording)
    {
        lock (_gate)
        {
            _recordings.Add(recording.Sid, recording);
        }
    }

    public SimRecording? Find(string accountSid, string sid)
    {
        lock (_gate)
        {
            return _recordings.TryGetValue(sid, out var recording) && recording.AccountSid == accountSid ? recording : null;
        }
    }

    /// <summary>The account's recordings, newest first, optionally of one call.</summary>
    public IReadOnlyList<SimRecording> List(string accountSid, string? callSid)
    {
        lock (_gate)
        {
            return [.. _recordings.Values
                .Where(r => r.AccountSid == accountSid && (callSid is null || r.CallSid == callSid))
                .OrderByDescending(r => r.DateCreated)];
        }
    }

    public bool Delete(string accountSid, string sid)
    {
        lock (_gate)
        {
            return Find(accountSid, sid) is not null && _recordings.Remove(sid);
        }
    }
}
