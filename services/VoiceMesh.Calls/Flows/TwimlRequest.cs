using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace VoiceMesh.Calls.Flows;

/// <summary>The parameters of a Twilio voice request a flow step reads (REFERENCE §2.1, §9).</summary>
public sealed record TwimlRequest
{
    public required string CallSid { get; init; }
    public string? From { get; init; }
    public string? To { get; init; }
    public string? Direction { get; init; }
    public string? CallStatus { get; init; }
    public string? Digits { get; init; }
    public string? SpeechResult { get; init; }
    public double? Confidence { get; init; }
    public string? DialCallStatus { get; init; }
    public string? DialCallSid { get; init; }
    public int? DialCallDuration { get; init; }
    public string? QueueResult { get; init; }
    public string? QueueSid { get; init; }
    public int? QueueTime { get; init; }
    public int? QueuePosition { get; init; }
    public int? AvgQueueTime { get; init; }
    public string? RecordingSid { get; init; }
    public string? RecordingUrl { get; init; }
    public int? RecordingDuration { get; init; }

    /// <summary>Reads the form; null when it has no <c>CallSid</c>, which every Twilio voice request carries.</summary>
    public static TwimlRequest? Read(IFormCollection form)
    {
        string? S(string name) => form.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v.ToString()) ? v.ToString() : null;
        int? I(string name) => int.TryParse(S(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
        double? D(string name) => double.TryParse(S(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;
        if (S("CallSid") is not { } callSid)
        {
            return null;
        }

        return new TwimlRequest
        {
            CallSid = callSid,
            From = S("From"),
            To = S("To"),
            Direction = S("Direction"),
            CallStatus = S("CallStatus"),
            Digits = S("Digits"),
            SpeechResult = S("SpeechResult"),
            Confidence = D("Confidence"),
            DialCallStatus = S("DialCallStatus"),
            DialCallSid = S("DialCallSid"),
            DialCallDuration = I("DialCallDuration"),
            QueueResult = S("QueueResult"),
            QueueSid = S("QueueSid"),
            QueueTime = I("QueueTime"),
            QueuePosition = I("QueuePosition"),
            AvgQueueTime = I("AvgQueueTime"),
            RecordingSid = S("RecordingSid"),
            RecordingUrl = S("RecordingUrl"),
            RecordingDuration = I("RecordingDuration"),
        };
    }
}
