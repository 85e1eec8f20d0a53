using VoiceMesh.TwilioSimulator.Rest;

namespace VoiceMesh.TwilioSimulator.Recordings;

/// <summary>Where a live recording's status callbacks go, and for which events (<c>in-progress</c>, <c>completed</c>, <c>absent</c>).</summary>
internal sealed record RecordingCallbacks(string Url, string Method, IReadOnlySet<string> Events);

/// <summary>
/// A call or conference recording. <c>Record=true</c>, <c>&lt;Record&gt;</c> and <c>&lt;Dial record&gt;</c> leave finished ones;
/// the Call Recordings API and recorded conferences start live ones, which are paused, resumed and stopped on the simulator clock and
/// complete when stopped or when the call ends. Its media is computed from the audio it recorded (or from
/// <see cref="Media"/>), never stored. Mutable: read and write it only under <see cref="Gate"/>.
/// </summary>
internal sealed class SimRecording
{
    public const string InProgress = "in-progress";
    public const string Paused = "paused";
    public const string Stopped = "stopped";
    public const string Completed = "completed";
    public const string Absent = "absent";

    /// <summary>The <c>RecordingSource</c> of a conference recorded from its start, by TwiML or by Participants create.</summary>
    public const string ConferenceSource = "DialConference";

    /// <summary>Twilio's error code for a recording too short to be processed (an <c>absent</c> recording).</summary>
    public const int TooShortError = 16101;

    private readonly List<AudioSegment> _audio = [];
    private DateTimeOffset _stretchStart;
    private bool _pauseIsSilent;
    private int? _faultsLeft;

    public Lock Gate { get; } = new();

    public required string Sid { get; init; }

    public required string AccountSid { get; init; }

    /// <summary>The recorded call; null for a conference recording.</summary>
    public string? CallSid { get; init; }

    /// <summary>The recorded conference; null for a call recording.</summary>
    public string? ConferenceSid { get; init; }

    public required DateTimeOffset DateCreated { get; init; }

    public required DateTimeOffset StartTime { get; init; }

    /// <summary><c>OutboundAPI</c>, <c>RecordVerb</c>, <c>DialVerb</c>, <c>StartCallRecordingAPI</c> or <c>DialConference</c>.</summary>
    public required string Source { get; init; }

    public int Channels { get; init; } = 1;

    /// <summary><c>inbound</c>, <c>outbound</c> or <c>both</c>.</summary>
    public string Track { get; init; } = "both";

    /// <summary>Leading and trailing silence is cut when the recording completes (<c>Trim=trim-silence</c>).</summary>
    public bool TrimSilence { get; init; }

    public RecordingCallbacks? Callbacks { get; init; }

    /// <summary><c>in-progress</c>, <c>paused</c>, <c>completed</c> or <c>absent</c>.</summary>
    public string Status { get; private set; } = Completed;

    public DateTimeOffset DateUpdated { get; private set; }

    /// <summary>Null, or <see cref="TooShortError"/> for an absent recording.</summary>
    public int? ErrorCode { get; private set; }

    public RecordingMediaSettings Media { get; private set; } = RecordingMediaSettings.Recorded;

    public bool IsActive => Status is InProgress or Paused;

    /// <summary>The media as served: the recorded audio, or the size or duration <see cref="Media"/> sets.</summary>
    public WavAudio Audio => Media switch
    {
        { SizeBytes: { } size } => WavAudio.OfLength(size, Channels),
        { DurationSeconds: { } seconds } => WavAudio.Tone(seconds, Channels),
        _ => new WavAudio(Channels, TrimSilence ? Trimmed(_audio) : _audio),
    };

    /// <summary>Twilio's <c>duration</c>: -1 while recording, 0 when absent, else the media's whole seconds.</summary>
    public int DurationSeconds => Status switch
    {
        InProgress or Paused => -1,
        Absent => 0,
        _ => Audio.DurationSeconds,
    };

    /// <summary>A recording that is already complete: <paramref name="seconds"/> of the tone.</summary>
    public static SimRecording Finished(
        string accountSid, string callSid, DateTimeOffset start, DateTimeOffset end, int seconds, string source)
    {
        var recording = new SimRecording
        {
            Sid = TwilioFormat.NewSid("RE"),
            AccountSid = accountSid,
            CallSid = callSid,
            DateCreated = end,
            StartTime = start,
            Source = source,
        };
        recording._audio.Add(new AudioSegment(seconds * (long)WavAudio.SampleRate, Silent: false));
        recording.DateUpdated = end;
        return recording;
    }

    /// <summary>A recording started at <paramref name="at"/> by the Call Recordings API.</summary>
    public static SimRecording Start(
        string accountSid, string callSid, DateTimeOffset at, int channels, string track, bool trimSilence, RecordingCallbacks? callbacks) => new()
    {
        Sid = TwilioFormat.NewSid("RE"),
        AccountSid = accountSid,
        CallSid = callSid,
        DateCreated = at,
        StartTime = at,
        Source = "StartCallRecordingAPI",
        Channels = channels,
        Track = track,
        TrimSilence = trimSilence,
        Callbacks = callbacks,
        Status = InProgress,
        DateUpdated = at,
        _stretchStart = at,
    };

    /// <summary>A mono recording of conference <paramref name="conferenceSid"/> started at <paramref name="at"/> (<c>record-from-start</c>).</summary>
    public static SimRecording StartConference(string accountSid, string conferenceSid, DateTimeOffset at, RecordingCallbacks? callbacks) => new()
    {
        Sid = TwilioFormat.NewSid("RE"),
        AccountSid = accountSid,
        ConferenceSid = conferenceSid,
        DateCreated = at,
        StartTime = at,
        Source = ConferenceSource,
        Callbacks = callbacks,
        Status = InProgress,
        DateUpdated = at,
        _stretchStart = at,
    };

    /// <summary>Stops recording audio; <paramref name="silence"/> records the paused time as silence instead of skipping it.</summary>
    public void Pause(DateTimeOffset at, bool silence)
    {
        if (Status != InProgress)
        {
            return;
        }

        CloseStretch(at);
        _pauseIsSilent = silence;
        Status = Paused;
    }

    public void Resume(DateTimeOffset at)
    {
        if (Status != Paused)
        {
            return;
        }

        CloseStretch(at);
        Status = InProgress;
    }

    /// <summary>Ends a live recording: <c>completed</c>, or <c>absent</c> (error 16101) with under a second of audio.</summary>
    public void Complete(DateTimeOffset at)
    {
        if (!IsActive)
        {
            return;
        }

        CloseStretch(at);
        if (Audio.Frames < WavAudio.SampleRate)
        {
            Status = Absent;
            ErrorCode = TooShortError;
        }
        else
        {
            Status = Completed;
        }
    }

    /// <summary>Replaces how the media is served; throws <see cref="ArgumentException"/> for settings that make no file.</summary>
    public void SetMedia(RecordingMediaSettings settings)
    {
        if (settings.SizeBytes is not null && settings.DurationSeconds is not null)
        {
            throw new ArgumentException("Give sizeBytes or durationSeconds, not both.", nameof(settings));
        }

        if (settings.SizeBytes is { } size)
        {
            _ = WavAudio.OfLength(size, Channels);
        }

        if (settings.DurationSeconds < 0 || settings.BytesPerSecond <= 0 || settings.Fault?.Count <= 0)
        {
            throw new ArgumentException("durationSeconds cannot be negative; bytesPerSecond and fault.count must be positive.", nameof(settings));
        }

        Media = settings;
        _faultsLeft = settings.Fault?.Count;
    }

    /// <summary>The fault this media request gets, counting it against the fault's <see cref="MediaFault.Count"/>.</summary>
    public MediaFaultKind? TakeFault()
    {
        if (Media.Fault is not { } fault || _faultsLeft <= 0)
        {
            return null;
        }

        _faultsLeft--;
        return fault.Kind;
    }

    /// <summary>Adds the audio of the stretch since the last change (tone while recording, silence or nothing while paused).</summary>
    private void CloseStretch(DateTimeOffset at)
    {
        var frames = (long)Math.Round((at - _stretchStart).TotalSeconds * WavAudio.SampleRate);
        if (Status == InProgress || _pauseIsSilent)
        {
            _audio.Add(new AudioSegment(frames, Silent: Status == Paused));
        }

        _stretchStart = at;
        DateUpdated = at;
    }

    private static IEnumerable<AudioSegment> Trimmed(List<AudioSegment> audio) =>
        audio.SkipWhile(s => s.Silent).Reverse().SkipWhile(s => s.Silent).Reverse();
}
