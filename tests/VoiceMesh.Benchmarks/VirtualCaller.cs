using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Xml;
using System.Xml.Linq;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// One caller of a load phase: sends its requests one at a time through the shared client, "listens" for a think
/// time between them (<c>think</c> ±20%, from its own seeded <see cref="Random"/>), and keeps every latency.
/// A menu walk is what Twilio sends for a caller who rings in, lets the menu time out once, presses 1 and is
/// forwarded: each request signed as Twilio signs it, each next URL taken from the TwiML just answered.
/// </summary>
internal sealed class VirtualCaller(HttpClient client, Random random, TimeSpan think, string from, string to, long origin)
{
    /// <summary>How the apology TwiML starts, which the caller hears when no flow could answer.</summary>
    public const string ApologyStart = "We are sorry";

    private readonly List<Sample> _samples = [];

    public IReadOnlyList<Sample> Samples => _samples;

    /// <summary>A random part of one think time, so the callers of a phase do not all start at once.</summary>
    public Task Stagger(CancellationToken cancellationToken) => Task.Delay(think * random.NextDouble(), cancellationToken);

    public async Task Health(Target target, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(target.BaseAddress, "/health/live"));
        await Send(Turn.Health, target, request, cancellationToken);
        await Listen(cancellationToken);
    }

    /// <summary>
    /// Walks the menu for one new call, as long as <paramref name="open"/> holds before each request, then sends the
    /// number's <c>completed</c> status callback to <paramref name="gateway"/> as Twilio does when the call ends (not
    /// timed: it is load, not a TwiML answer; anything but 204 counts as a failure).
    /// </summary>
    public async Task WalkMenu(Target target, Uri gateway, Func<bool> open, CancellationToken cancellationToken)
    {
        var callSid = Mesh.NewCallSid();
        string? path = "/twilio/voice";
        foreach (var turn in (Turn[])[Turn.Incoming, Turn.NoInput, Turn.Digit, Turn.DialEnded])
        {
            if (path is null || !open())
            {
                return;
            }

            using var request = TwilioSignature.SignedPost(
                Mesh.AuthToken, Mesh.PublicBaseUrl + path, new Uri(target.BaseAddress, path), Form(turn, callSid), Guid.NewGuid().ToString());
            path = await Send(turn, target, request, cancellationToken);
            await Listen(cancellationToken);
        }

        if (open())
        {
            await Completed(gateway, callSid, cancellationToken);
        }
    }

    private async Task Completed(Uri gateway, string callSid, CancellationToken cancellationToken)
    {
        List<KeyValuePair<string, string>> form =
        [
            new("AccountSid", Mesh.AccountSid), new("ApiVersion", "2010-04-01"), new("CallSid", callSid), new("CallStatus", "completed"),
            new("CallbackSource", "call-progress-events"), new("CallDuration", random.Next(5, 300).ToString(CultureInfo.InvariantCulture)),
            new("Direction", "inbound"), new("From", from), new("To", to), new("SequenceNumber", "0"),
            new("Timestamp", DateTimeOffset.UtcNow.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)),
        ];
        using var request = TwilioSignature.SignedPost(
            Mesh.AuthToken, Mesh.PublicBaseUrl + "/twilio/voice/status", new Uri(gateway, "/twilio/voice/status"), form, Guid.NewGuid().ToString());
        string? failure;
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            failure = response.StatusCode == HttpStatusCode.NoContent ? null : $"status callback answered {(int)response.StatusCode}";
        }
        catch (HttpRequestException ex)
        {
            failure = $"status callback failed: {ex.Message}";
        }

        if (failure is not null)
        {
            _samples.Add(new Sample(Turn.StatusCallback, "gateway", 0, 0, failure, Apology: false));
        }
    }

    private Task Listen(CancellationToken cancellationToken) =>
        think > TimeSpan.Zero ? Task.Delay(think * (0.8 + (0.4 * random.NextDouble())), cancellationToken) : Task.CompletedTask;

    /// <summary>Times the request from just before it is sent until its whole answer is read; returns the next TwiML URL.</summary>
    private async Task<string?> Send(Turn turn, Target target, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var at = Stopwatch.GetElapsedTime(origin, started).TotalSeconds;
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var (failure, apology, next) = turn == Turn.Health
                ? (response.StatusCode == HttpStatusCode.OK ? null : $"status {(int)response.StatusCode}", false, null)
                : Check(turn, response, body);
            _samples.Add(new Sample(turn, target.Name, at, elapsed, failure, apology));
            return failure is null ? next : null;
        }
        catch (HttpRequestException ex)
        {
            _samples.Add(new Sample(turn, target.Name, at, Stopwatch.GetElapsedTime(started).TotalMilliseconds, ex.Message, false));
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _samples.Add(new Sample(turn, target.Name, at, Stopwatch.GetElapsedTime(started).TotalMilliseconds, $"no answer within {client.Timeout.TotalSeconds:F0} s", false));
        }

        return null;
    }

    /// <summary>
    /// Whether the answer is the TwiML this turn of the menu gives: 200, XML, no apology, and the expected verbs
    /// first; with the URL Twilio would request next.
    /// </summary>
    private static (string? Failure, bool Apology, string? Next) Check(Turn turn, HttpResponseMessage response, string body)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return ($"status {(int)response.StatusCode}", false, null);
        }

        if (response.Content.Headers.ContentType?.MediaType is not ("application/xml" or "text/xml") and var media)
        {
            return ($"content type {media ?? "(none)"}", false, null);
        }

        XElement root;
        try
        {
            root = XDocument.Parse(body).Root!;
        }
        catch (XmlException ex)
        {
            return ($"not XML: {ex.Message}", false, null);
        }

        if (root.Descendants("Say").Any(say => say.Value.StartsWith(ApologyStart, StringComparison.Ordinal)))
        {
            return ("the apology", true, null);
        }

        var verbs = root.Elements().ToList();
        var (expected, next) = turn switch
        {
            Turn.Incoming => ((string[])["Say", "Gather"], verbs.Find(v => v.Name == "Redirect")?.Value),
            Turn.NoInput => (["Say", "Gather"], verbs.Find(v => v.Name == "Gather")?.Attribute("action")?.Value),
            Turn.Digit => (["Dial"], verbs.Find(v => v.Name == "Dial")?.Attribute("action")?.Value),
            _ => (["Hangup"], ""),
        };
        var names = verbs.Select(v => v.Name.LocalName).ToList();
        if (root.Name != "Response" || !names.Take(expected.Length).SequenceEqual(expected, StringComparer.Ordinal))
        {
            return ($"expected {string.Join('+', expected)} first, got <{root.Name}> {string.Join('+', names)}", false, null);
        }

        if (next is null || (turn != Turn.DialEnded && !next.StartsWith("/twilio/voice/flow/", StringComparison.Ordinal)))
        {
            return ($"no next URL to follow ('{next}')", false, null);
        }

        return (null, false, turn == Turn.DialEnded ? null : next);
    }

    /// <summary>The parameters Twilio posts for an inbound call at this turn.</summary>
    private List<KeyValuePair<string, string>> Form(Turn turn, string callSid)
    {
        List<KeyValuePair<string, string>> form =
        [
            new("AccountSid", Mesh.AccountSid),
            new("ApiVersion", "2010-04-01"),
            new("CallSid", callSid),
            new("CallStatus", turn == Turn.Incoming ? "ringing" : "in-progress"),
            new("Called", to),
            new("Caller", from),
            new("Direction", "inbound"),
            new("From", from),
            new("To", to),
        ];
        switch (turn)
        {
            case Turn.Digit:
                form.Add(new("Digits", "1"));
                form.Add(new("FinishedOnKey", ""));
                break;
            case Turn.DialEnded:
                form.Add(new("DialCallStatus", "completed"));
                form.Add(new("DialCallSid", Mesh.NewCallSid()));
                form.Add(new("DialCallDuration", random.Next(5, 300).ToString(CultureInfo.InvariantCulture)));
                break;
        }

        return form;
    }
}
