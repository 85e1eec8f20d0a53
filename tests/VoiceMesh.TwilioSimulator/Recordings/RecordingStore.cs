namespace VoiceMesh.TwilioSimulator.Recordings;

/// <summary>Every account's recordings, live and finished; thread-safe (each recording guards its own state).</summary>
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

    public SimRecording? Find(string accountSid, string sid) => Find(sid) is { } recording && recording.AccountSid == accountSid ? recording : null;

    /// <summary>The recording of any account (the admin API names no account).</summary>
    public SimRecording? Find(string sid)
    {
        lock (_gate)
        {
            return _recordings.GetValueOrDefault(sid);
        }
    }

    /// <summary>The account's recordings, newest first, optionally of one call and of one conference.</summary>
    public IReadOnlyList<SimRecording> List(string accountSid, string? callSid, string? conferenceSid = null)
    {
        lock (_gate)
        {
            return [.. _recordings.Values
                .Where(r => r.AccountSid == accountSid && (callSid is null || r.CallSid == callSid)
                    && (conferenceSid is null || r.ConferenceSid == conferenceSid))
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
