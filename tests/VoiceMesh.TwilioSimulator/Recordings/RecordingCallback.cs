using System.Globalization;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Rest;
using VoiceMesh.TwilioSimulator.Webhooks;

namespace VoiceMesh.TwilioSimulator.Recordings;

/// <summary>The <c>RecordingStatusCallback</c> of a finished recording (REFERENCE §4.1), whichever verb or option made it.</summary>
internal static class RecordingCallback
{
    public static WebhookJob Completed(SimCall call, SimRecording recording, string url, string method, DateTimeOffset at) => new()
    {
        Kind = "recording",
        CallSid = call.Sid,
        Url = url,
        Method = method,
        AuthToken = call.AuthToken,
        GeneratedAt = at,
        IdempotencyToken = TwilioFormat.NewSid(""),
        Parameters =
        [
            new("AccountSid", call.AccountSid),
            new("CallSid", call.Sid),
            new("ErrorCode", "0"),
            new("RecordingChannels", "1"),
            new("RecordingDuration", recording.DurationSeconds.ToString(CultureInfo.InvariantCulture)),
            new("RecordingSid", recording.Sid),
            new("RecordingSource", recording.Source),
            new("RecordingStartTime", TwilioFormat.Rfc2822(recording.StartTime)),
            new("RecordingStatus", "completed"),
            new("RecordingTrack", "both"),
            new("RecordingUrl", RecordingEndpoints.MediaUrl(call.AccountSid, recording.Sid)),
        ],
    };
}
