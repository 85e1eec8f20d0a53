using System.Globalization;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Conferences;
using VoiceMesh.TwilioSimulator.Rest;
using VoiceMesh.TwilioSimulator.Webhooks;

namespace VoiceMesh.TwilioSimulator.Recordings;

/// <summary>A <c>RecordingStatusCallback</c> (REFERENCE §4.1), whichever verb, option or API made the recording.</summary>
internal static class RecordingCallback
{
    /// <summary>
    /// The callback reporting <paramref name="status"/> (<c>in-progress</c>, <c>completed</c> or <c>absent</c>) of a
    /// call's recording; <c>RecordingDuration</c> only once the recording is finished. Call it under the recording's lock.
    /// </summary>
    public static WebhookJob For(SimCall call, SimRecording recording, string status, string url, string method, DateTimeOffset at) =>
        Job(call.AuthToken, new("CallSid", call.Sid), call.Sid, recording, status, url, method, at);

    /// <summary>
    /// The same callback for a conference's recording: it names the <c>ConferenceSid</c> and no <c>CallSid</c>.
    /// Call it under the recording's lock.
    /// </summary>
    public static WebhookJob For(SimConference conference, SimRecording recording, string status, DateTimeOffset at) =>
        Job(conference.AuthToken, new("ConferenceSid", conference.Sid), null, recording, status,
            recording.Callbacks!.Url, recording.Callbacks.Method, at);

    private static WebhookJob Job(
        string authToken, KeyValuePair<string, string> owner, string? callSid, SimRecording recording, string status,
        string url, string method, DateTimeOffset at)
    {
        List<KeyValuePair<string, string>> parameters =
        [
            new("AccountSid", recording.AccountSid),
            owner,
            new("ErrorCode", (recording.ErrorCode ?? 0).ToString(CultureInfo.InvariantCulture)),
            new("RecordingChannels", recording.Channels.ToString(CultureInfo.InvariantCulture)),
        ];
        if (status != SimRecording.InProgress)
        {
            parameters.Add(new("RecordingDuration", recording.DurationSeconds.ToString(CultureInfo.InvariantCulture)));
        }

        parameters.AddRange(
        [
            new("RecordingSid", recording.Sid),
            new("RecordingSource", recording.Source),
            new("RecordingStartTime", TwilioFormat.Rfc2822(recording.StartTime)),
            new("RecordingStatus", status),
            new("RecordingTrack", recording.Track),
            new("RecordingUrl", RecordingEndpoints.MediaUrl(recording.AccountSid, recording.Sid)),
        ]);
        return new WebhookJob
        {
            Kind = "recording",
            CallSid = callSid,
            Url = url,
            Method = method,
            AuthToken = authToken,
            GeneratedAt = at,
            IdempotencyToken = TwilioFormat.NewSid(""),
            Parameters = parameters,
        };
    }
}
