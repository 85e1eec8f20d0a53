using System.Globalization;
using System.Xml.Linq;
using VoiceMesh.TwilioSimulator.Recordings;

namespace VoiceMesh.TwilioSimulator.TwimlRuntime;

/// <summary><c>&lt;Record&gt;</c> (REFERENCE §9.15).</summary>
internal sealed partial class TwimlEngine
{
    private void Record(TwimlSession session, TwimlDocument document, XElement verb, VerbLog entry, Resume resume, DateTimeOffset at)
    {
        var seconds = Math.Min(session.RecordSeconds, Int(verb, "maxLength", 3600));
        var timeout = Seconds(Int(verb, "timeout", 5));
        if (seconds == 0)
        {
            After(session, at + timeout, due =>
            {
                entry.Outcome = "empty";
                Run(session, resume.Document, resume.Index, due);
            });
            return;
        }

        var finishOnKey = Attr(verb, "finishOnKey") ?? "1234567890*#";
        var recording = new RecordState
        {
            Entry = entry,
            Start = at,
            MaxSeconds = seconds,
            Action = Resolve(document.Url, Attr(verb, "action") ?? document.Url),
            Method = Method(Attr(verb, "method")),
            Callback = Attr(verb, "recordingStatusCallback") is { Length: > 0 } callback ? Resolve(document.Url, callback) : null,
            CallbackMethod = Method(Attr(verb, "recordingStatusCallbackMethod")),
        };
        session.Recording = recording;
        var end = at + Seconds(seconds) + (finishOnKey.Length == 0 ? timeout : TimeSpan.Zero);
        After(session, end, due =>
        {
            session.Recording = null;
            FinishRecording(session, recording, seconds, finishOnKey.Length == 0 ? null : finishOnKey[..1], due);
        });
    }

    private void FinishRecording(TwimlSession session, RecordState state, int seconds, string? digits, DateTimeOffset at)
    {
        if (seconds == 0)
        {
            state.Entry.Outcome = "empty";
            return;
        }

        var call = session.Call;
        var recording = SimRecording.Finished(call.AccountSid, call.Sid, state.Start, at, seconds, "RecordVerb");
        var callback = state.Callback is { } callbackUrl
            ? RecordingCallback.For(call, recording, SimRecording.Completed, callbackUrl, state.CallbackMethod, at)
            : null;
        recordings.Add(recording);
        state.Entry.Outcome = $"recorded {seconds}";
        var url = RecordingEndpoints.MediaUrl(call.AccountSid, recording.Sid);
        if (callback is not null)
        {
            webhooks.Dispatch(callback);
        }

        List<KeyValuePair<string, string>> parameters =
        [
            new("RecordingDuration", seconds.ToString(CultureInfo.InvariantCulture)),
            new("RecordingSid", recording.Sid),
            new("RecordingUrl", url),
        ];
        if (digits is not null)
        {
            parameters.Add(new("Digits", digits));
        }

        if (session.Ended)
        {
            Notify(session, state.Action, state.Method, parameters, at);
        }
        else
        {
            FetchAndRun(session, state.Action, state.Method, parameters, at, null);
        }
    }
}
