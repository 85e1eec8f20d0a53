using System.Collections.Frozen;
using Microsoft.Extensions.Primitives;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Rest;
using VoiceMesh.TwilioSimulator.Webhooks;

namespace VoiceMesh.TwilioSimulator.Recordings;

/// <summary>
/// The Call Recordings API on live calls (REFERENCE §4.3): start a recording of an in-progress call, pause it (the
/// paused time is skipped, or recorded as silence), resume and stop it; the call ending completes every recording it
/// still has. Status callbacks go out only for the requested events (<c>in-progress</c>, <c>completed</c>,
/// <c>absent</c>; default <c>completed</c>), signed like every webhook.
/// </summary>
internal sealed partial class CallRecordings
{
    /// <summary>The sid that names the call's one active recording.</summary>
    public const string Current = "Twilio.CURRENT";

    private static readonly FrozenSet<string> Events =
        FrozenSet.Create(StringComparer.Ordinal, SimRecording.InProgress, SimRecording.Completed, SimRecording.Absent);

    private readonly VirtualScheduler _scheduler;
    private readonly RecordingStore _store;
    private readonly WebhookDispatcher _webhooks;
    private readonly ILogger<CallRecordings> _logger;

    public CallRecordings(VirtualScheduler scheduler, CallEngine calls, RecordingStore store, WebhookDispatcher webhooks, ILogger<CallRecordings> logger)
    {
        _scheduler = scheduler;
        _store = store;
        _webhooks = webhooks;
        _logger = logger;
        calls.Ended += (_, e) => CallEnded(e.Call, e.At);
    }

    /// <summary>
    /// Starts recording <paramref name="call"/> with Recordings create fields: <c>RecordingStatusCallback</c>
    /// (a URL that is not http(s) is ignored: the recording runs without callbacks, Twilio's warning 13256),
    /// <c>RecordingStatusCallbackMethod</c>, <c>RecordingStatusCallbackEvent</c> (repeated or space-separated),
    /// <c>RecordingChannels</c> (<c>mono</c>/<c>dual</c>), <c>RecordingTrack</c> and <c>Trim</c>.
    /// </summary>
    public (SimRecording? Recording, TwilioError? Error) Start(SimCall call, IFormCollection form)
    {
        var events = form["RecordingStatusCallbackEvent"]
            .SelectMany(e => (e ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToHashSet(StringComparer.Ordinal);
        if (events.FirstOrDefault(e => !Events.Contains(e)) is { } unknown)
        {
            return (null, Invalid("RecordingStatusCallbackEvent", unknown, "in-progress, completed, absent"));
        }

        if (Choice(form, "RecordingChannels", "mono", "mono", "dual") is not { } channels)
        {
            return (null, Invalid("RecordingChannels", form["RecordingChannels"], "mono, dual"));
        }

        if (Choice(form, "RecordingTrack", "both", "inbound", "outbound", "both") is not { } track)
        {
            return (null, Invalid("RecordingTrack", form["RecordingTrack"], "inbound, outbound, both"));
        }

        if (Choice(form, "Trim", "do-not-trim", "trim-silence", "do-not-trim") is not { } trim)
        {
            return (null, Invalid("Trim", form["Trim"], "trim-silence, do-not-trim"));
        }

        if (Choice(form, "RecordingStatusCallbackMethod", "POST", "GET", "POST") is not { } method)
        {
            return (null, Invalid("RecordingStatusCallbackMethod", form["RecordingStatusCallbackMethod"], "GET, POST"));
        }

        var url = form["RecordingStatusCallback"].ToString();
        var callbacks = Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? new RecordingCallbacks(url, method, events.Count == 0 ? FrozenSet.Create(StringComparer.Ordinal, SimRecording.Completed) : events)
            : null;
        lock (call.Gate)
        {
            if (call.Status != "in-progress")
            {
                return (null, NotInProgress(call.Sid));
            }

            var now = _scheduler.Now;
            var recording = SimRecording.Start(
                call.AccountSid, call.Sid, now, channels == "dual" && track == "both" ? 2 : 1, track, trim == "trim-silence", callbacks);
            _store.Add(recording);
            lock (recording.Gate)
            {
                Notify(call, recording, SimRecording.InProgress, now);
            }

            LogStarted(_logger, recording.Sid, call.Sid);
            return (recording, null);
        }
    }

    /// <summary>
    /// Applies Recordings update (<c>Status=paused|in-progress|stopped</c>, <c>PauseBehavior=skip|silence</c>) to
    /// <paramref name="sid"/> or, with <see cref="Current"/>, to the call's one active recording. Returns the
    /// recording and the status its answer shows (<c>stopped</c> for a stop, although it is already complete).
    /// </summary>
    public (SimRecording? Recording, string? ShownStatus, TwilioError? Error) Update(SimCall call, string sid, IFormCollection form)
    {
        var status = form["Status"].ToString();
        if (status is not (SimRecording.Paused or SimRecording.InProgress or SimRecording.Stopped))
        {
            return (null, null, Invalid("Status", status, "paused, in-progress, stopped"));
        }

        if (Choice(form, "PauseBehavior", "silence", "skip", "silence") is not { } pauseBehavior)
        {
            return (null, null, Invalid("PauseBehavior", form["PauseBehavior"], "skip, silence"));
        }

        lock (call.Gate)
        {
            if (call.Status != "in-progress")
            {
                return (null, null, NotInProgress(call.Sid));
            }

            var (recording, error) = Resolve(call, sid);
            if (recording is null)
            {
                return (null, null, error);
            }

            lock (recording.Gate)
            {
                if (!recording.IsActive)
                {
                    return (null, null, TwilioError.Of(
                        20001, 400, $"Recording {recording.Sid} is {recording.Status}: only an in-progress or paused recording can be updated"));
                }

                var now = _scheduler.Now;
                switch (status)
                {
                    case SimRecording.Paused:
                        recording.Pause(now, silence: pauseBehavior == "silence");
                        break;
                    case SimRecording.InProgress:
                        recording.Resume(now);
                        break;
                    default:
                        Finish(call, recording, now);
                        break;
                }

                LogUpdated(_logger, recording.Sid, status);
                return (recording, status == SimRecording.Stopped ? SimRecording.Stopped : recording.Status, null);
            }
        }
    }

    /// <summary>The call's recording <paramref name="sid"/>, or its one active recording for <see cref="Current"/>.</summary>
    private (SimRecording? Recording, TwilioError? Error) Resolve(SimCall call, string sid)
    {
        if (sid != Current)
        {
            return _store.Find(call.AccountSid, sid) is { } recording && recording.CallSid == call.Sid
                ? (recording, null)
                : (null, TwilioError.NotFound($"/{TwilioFormat.ApiVersion}/Accounts/{call.AccountSid}/Calls/{call.Sid}/Recordings/{sid}.json"));
        }

        var active = _store.List(call.AccountSid, call.Sid).Where(r =>
        {
            lock (r.Gate)
            {
                return r.IsActive;
            }
        }).ToList();
        return active.Count switch
        {
            1 => (active[0], null),
            0 => (null, TwilioError.Of(20404, 404, $"Call {call.Sid} has no active recording")),
            _ => (null, TwilioError.Of(16108, 400, $"Call {call.Sid} has {active.Count} active recordings: name one by its sid")),
        };
    }

    /// <summary>Completes what the call was still recording when it ended (under the call's lock).</summary>
    private void CallEnded(SimCall call, DateTimeOffset at)
    {
        foreach (var recording in _store.List(call.AccountSid, call.Sid))
        {
            lock (recording.Gate)
            {
                if (recording.IsActive)
                {
                    Finish(call, recording, at);
                    LogUpdated(_logger, recording.Sid, recording.Status);
                }
            }
        }
    }

    private void Finish(SimCall call, SimRecording recording, DateTimeOffset at)
    {
        recording.Complete(at);
        Notify(call, recording, recording.Status, at);
    }

    /// <summary>Sends the status callback if the recording asked for <paramref name="status"/> (under its lock).</summary>
    private void Notify(SimCall call, SimRecording recording, string status, DateTimeOffset at)
    {
        if (recording.Callbacks is { } callbacks && callbacks.Events.Contains(status))
        {
            _webhooks.Dispatch(RecordingCallback.For(call, recording, status, callbacks.Url, callbacks.Method, at));
        }
    }

    /// <summary>The form's value for <paramref name="name"/> if it is one of <paramref name="allowed"/>, <paramref name="fallback"/> when absent, else null.</summary>
    private static string? Choice(IFormCollection form, string name, string fallback, params string[] allowed)
    {
        var value = form[name];
        if (StringValues.IsNullOrEmpty(value))
        {
            return fallback;
        }

        return allowed.FirstOrDefault(a => string.Equals(a, value.ToString(), StringComparison.OrdinalIgnoreCase));
    }

    private static TwilioError Invalid(string field, string? value, string allowed) =>
        TwilioError.Of(20001, 400, $"{field} '{value}' is not valid; it must be one of {allowed}");

    private static TwilioError NotInProgress(string callSid) =>
        TwilioError.Of(21220, 400, $"Call {callSid} is not in-progress. Cannot start, pause, resume or stop a recording.");

    [LoggerMessage(Level = LogLevel.Debug, Message = "Recording {RecordingSid} of call {CallSid} started")]
    private static partial void LogStarted(ILogger logger, string recordingSid, string callSid);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Recording {RecordingSid} is {Status}")]
    private static partial void LogUpdated(ILogger logger, string recordingSid, string status);
}
