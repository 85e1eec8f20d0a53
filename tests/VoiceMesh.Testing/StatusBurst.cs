using System.Globalization;
using System.Text.Json;

namespace VoiceMesh.Testing;

/// <summary>
/// One call status callback, ready to post: its form body as sent on the wire, signed by the mesh's auth token over
/// its public URL, with an idempotency token of its own (Twilio's <c>I-Twilio-Idempotency-Token</c>).
/// </summary>
public sealed record StatusWebhook(
    string CallSid, int SequenceNumber, DateTimeOffset Timestamp, byte[] Body, int Fields, string Signature, string IdempotencyToken)
{
    /// <summary>
    /// The event a store appends for this webhook, shaped as Calls' <c>CallStatusReported</c>: what the database
    /// ceiling writes, so it stores rows of the same size.
    /// </summary>
    public string EventJson(DateTimeOffset receivedAt) => JsonSerializer.Serialize(new
    {
        CallSid,
        // Calls stores its CallStatus enum as a number: queued is 0, then the burst's statuses in sequence order.
        Status = SequenceNumber + 1,
        SequenceNumber,
        Timestamp,
        Source = 0,
        MessageId = IdempotencyToken,
        Direction = StatusBurst.Direction,
        From = StatusBurst.From,
        To = StatusBurst.To,
        ReceivedAt = receivedAt,
    });
}

/// <summary>
/// The status callbacks of <c>calls</c> answered outbound calls, four each (<c>initiated</c>, <c>ringing</c>,
/// <c>in-progress</c>, <c>completed</c>, sequence numbers 0 to 3), built and signed before anything is timed and
/// shuffled across the whole burst (Twilio sends each event as its own request, so arrival order is not guaranteed).
/// Each body carries the fields Twilio sends on the callbacks of an answered outbound-api call with machine detection
/// (REFERENCE.md 2.1 and 2.2, and callbacks captured in public repositories: the parties with their geographic fields
/// and caller name, the sequence number and RFC 2822 timestamp, the answer on <c>in-progress</c> and <c>completed</c>,
/// the durations and SIP code on <c>completed</c>): 30 to 35 fields, ~670 bytes (<see cref="Describe"/> prints them).
/// A seed fixes the call sids, tokens and order; each burst of a run has a seed of its own, so no call is posted twice.
/// </summary>
public sealed class StatusBurst
{
    /// <summary>Calls per burst unless <c>--calls</c> says otherwise: 10,000 webhooks.</summary>
    public const int DefaultCalls = 2500;

    public const string Path = "/twilio/voice/status";
    public const string Direction = "outbound-api";
    public const string From = "+15005550006";
    public const string To = "+14155550100";

    /// <summary>The sequence number of a call's last callback, <c>completed</c>.</summary>
    public const int CompletedSequence = 3;

    private static readonly string[] Statuses = ["initiated", "ringing", "in-progress", "completed"];

    /// <summary>Seconds after <c>initiated</c> at which each status happened: rings for 4 s, talks for 42 s.</summary>
    private static readonly int[] Offsets = [0, 1, 5, 47];

    private StatusBurst(IReadOnlyList<string> callSids, IReadOnlyList<StatusWebhook> webhooks)
    {
        CallSids = callSids;
        Webhooks = webhooks;
    }

    public IReadOnlyList<string> CallSids { get; }

    /// <summary>Every webhook of the burst, in the order they are to be posted.</summary>
    public IReadOnlyList<StatusWebhook> Webhooks { get; }

    public static StatusBurst Build(int calls, int seed, DateTimeOffset now)
    {
        var random = new Random(seed);
        var sids = new string[calls];
        var webhooks = new List<StatusWebhook>(calls * Statuses.Length);
        for (var call = 0; call < calls; call++)
        {
            sids[call] = "CA" + Hex(random);
            for (var sequence = 0; sequence < Statuses.Length; sequence++)
            {
                webhooks.Add(Sign(sids[call], sequence, now.AddSeconds(Offsets[sequence]), Hex(random)));
            }
        }

        var order = webhooks.ToArray();
        random.Shuffle(order);
        return new StatusBurst(sids, order);
    }

    /// <summary>The mean body size in bytes and the fewest and most fields, for the console.</summary>
    public string Describe() =>
        $"{CallSids.Count} calls, {Webhooks.Count} webhooks of {Webhooks.Average(w => w.Body.Length):F0} bytes on average, "
        + $"{Webhooks.Min(w => w.Fields)}-{Webhooks.Max(w => w.Fields)} fields";

    private static StatusWebhook Sign(string callSid, int sequence, DateTimeOffset timestamp, string token)
    {
        var status = Statuses[sequence];
        var form = Form(callSid, status, sequence, timestamp);
        using var content = new FormUrlEncodedContent(form);
        using var body = new MemoryStream();
        content.ReadAsStream().CopyTo(body);
        return new StatusWebhook(
            callSid, sequence, timestamp, body.ToArray(), form.Count,
            TwilioSignature.Compute(Mesh.AuthToken, Mesh.PublicBaseUrl + Path, form), $"{Mesh.AccountSid}-{token}");
    }

    private static List<KeyValuePair<string, string>> Form(string callSid, string status, int sequence, DateTimeOffset timestamp)
    {
        List<KeyValuePair<string, string>> form =
        [
            new("AccountSid", Mesh.AccountSid),
            new("ApiVersion", "2010-04-01"),
            new("CallSid", callSid),
            new("CallStatus", status),
            new("CallbackSource", "call-progress-events"),
            new("Called", To),
            new("CalledCity", "SAN FRANCISCO"),
            new("CalledCountry", "US"),
            new("CalledState", "CA"),
            new("CalledZip", "94105"),
            new("Caller", From),
            new("CallerCity", "PASADENA"),
            new("CallerName", "VOICEMESH BENCH"),
            new("CallerCountry", "US"),
            new("CallerState", "CA"),
            new("CallerZip", "91101"),
            new("Direction", Direction),
            new("ForwardedFrom", ""),
            new("From", From),
            new("FromCity", "PASADENA"),
            new("FromCountry", "US"),
            new("FromState", "CA"),
            new("FromZip", "91101"),
            new("SequenceNumber", sequence.ToString(CultureInfo.InvariantCulture)),
            new("Timestamp", timestamp.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)),
            new("To", To),
            new("ToCity", "SAN FRANCISCO"),
            new("ToCountry", "US"),
            new("ToState", "CA"),
            new("ToZip", "94105"),
        ];
        if (status is "in-progress" or "completed")
        {
            form.Add(new("AnsweredBy", "human"));
            form.Add(new("MachineDetectionDuration", "2140"));
        }

        if (status == "completed")
        {
            form.Add(new("CallDuration", "42"));
            form.Add(new("Duration", "1"));
            form.Add(new("SipResponseCode", "200"));
        }

        return form;
    }

    private static string Hex(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
