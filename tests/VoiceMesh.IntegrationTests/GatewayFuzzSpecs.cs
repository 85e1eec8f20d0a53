using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using CsCheck;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Issue 15's acceptance line: 10,000 generated requests (<see cref="GatewayFuzzCases"/>) against the gateway as a
/// real process, over real sockets, then RabbitMQ asked what was published. The seed is printed and taken from
/// <c>VOICEMESH_FUZZ_SEED</c> when set, so a failure replays exactly. Calls is not started (the gateway's own answers
/// and publishes are under test); MediaStreams is, behind <c>/twilio/media</c>.
/// </summary>
public sealed class GatewayFuzzSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    public const string SeedVariable = "VOICEMESH_FUZZ_SEED";
    private const int Requests = 10_000;
    private const int Concurrency = 16;

    /// <summary>Every request is answered, or its connection closed, within this.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    /// <summary>A trickled body: the gateway's <c>MinRequestBodyGrace</c> (5 s by default), then <see cref="Patience"/>.</summary>
    private static readonly TimeSpan SlowPatience = TimeSpan.FromSeconds(5) + Patience;

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdef");

    private Mesh _mesh = null!;
    private HttpClient _management = null!;
    private string _vhost = "";

    public async ValueTask InitializeAsync()
    {
        var uri = await infrastructure.CreateVirtualHostAsync();
        _vhost = new Uri(uri).AbsolutePath.Trim('/');
        _management = TestInfrastructure.ManagementClient(infrastructure.RabbitMqManagementUri);
        _mesh = await Mesh.Start(uri, infrastructure.PostgresConnectionString, callsInstances: 0, otherServices: ["mediastreams"]);
    }

    public async ValueTask DisposeAsync()
    {
        _management.Dispose();
        await _mesh.DisposeAsync();
    }

    [Fact]
    public async Task Ten_thousand_hostile_requests_get_no_5xx_no_hang_and_publish_exactly_the_valid_acknowledged_ones()
    {
        var ct = TestContext.Current.CancellationToken;
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } set
            ? ulong.Parse(set, CultureInfo.InvariantCulture)
            : (ulong)Random.Shared.NextInt64();
        TestContext.Current.TestOutputHelper?.WriteLine($"Gateway fuzz seed {seed} (replay: {SeedVariable}={seed})");
        var cases = GatewayFuzzCases.Any.Array[Requests].Generate(new PCG(1, seed), null, out _);

        await WarmUp(ct);
        var probe = await ProbeEveryEvent();
        var clock = Stopwatch.StartNew();
        var outcomes = new Outcome[cases.Length];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, cases.Length), new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = ct },
            async (i, token) => outcomes[i] = cases[i] switch
            {
                RawRequest request => await Send(request, token),
                SocketSession session => await Converse(session, token),
                _ => throw new InvalidOperationException(cases[i].GetType().Name),
            });
        var sending = clock.Elapsed;
        var published = await Drain(probe, ct);

        var failures = new List<(int Case, string Reason)>();
        for (var i = 0; i < cases.Length; i++)
        {
            if (WrongAnswer(cases[i], outcomes[i]) is { } reason)
            {
                failures.Add((i, reason));
            }
        }

        failures.AddRange(Publishes(cases, outcomes, published));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{cases.Length} requests in {sending.TotalSeconds:F1} s, {published.Count} published; answers: "
            + string.Join(", ", outcomes.GroupBy(o => o.Status?.ToString(CultureInfo.InvariantCulture) ?? "closed").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} x{g.Count()}")));
        if (failures.Count > 0)
        {
            Assert.Fail(Report(seed, cases, outcomes, failures));
        }
    }

    /// <summary>The gateway's first publish of each event declares its exchange and the first socket JITs the proxy: not what is timed.</summary>
    private async Task WarmUp(CancellationToken ct)
    {
        foreach (var webhook in Enumerable.Range(0, 5).Select(i => GatewayFuzzCases.AnyWebhook.Where(w => w.Route == GatewayFuzzCases.Events.Keys.ElementAt(i)).Single()))
        {
            var warm = await Send(Post.Of(webhook, "warm-up-" + Guid.NewGuid()).Raw("warm-up", Verdict.Accept), ct);
            Assert.True(warm.Status == 204, $"warm-up {webhook.Route} answered {warm.Status}\n{_mesh.Gateway.RecentOutput}");
        }

        await Converse(new SocketSession("warm-up", []), ct);
    }

    /// <summary>One queue bound to every exchange the gateway publishes to, bound after the warm-up.</summary>
    private async Task<QueueProbe> ProbeEveryEvent()
    {
        var queue = "fuzz-probe-" + Guid.NewGuid().ToString("N");
        QueueProbe? probe = null;
        foreach (var exchange in GatewayFuzzCases.Events.Values)
        {
            probe = await QueueProbe.Bind(_management, _vhost, exchange, queue, declareExchange: true);
        }

        return probe!;
    }

    private static async Task<List<JsonElement>> Drain(QueueProbe probe, CancellationToken ct)
    {
        var all = new List<JsonElement>();
        while (await probe.Get(2000, remove: true, ct) is { Count: > 0 } batch)
        {
            all.AddRange(batch);
        }

        return all;
    }

    /// <summary>Why an answer is wrong for how the case was generated, or null.</summary>
    private static string? WrongAnswer(FuzzCase fuzz, Outcome outcome)
    {
        var patience = fuzz is RawRequest { Delivery: Delivery.Trickle } ? SlowPatience : Patience;
        if (outcome.Status >= 500)
        {
            return $"answered {outcome.Status}";
        }

        if (outcome.TimedOut || outcome.Elapsed > patience)
        {
            return $"took {outcome.Elapsed.TotalMilliseconds:F0} ms (more than {patience.TotalMilliseconds:F0} ms){(outcome.TimedOut ? ", never answered" : "")}";
        }

        return fuzz switch
        {
            SocketSession when outcome.Status != 101 => $"a signed upgrade answered {outcome.Status?.ToString(CultureInfo.InvariantCulture) ?? "nothing"}",
            RawRequest { Verdict: Verdict.Accept } when outcome.Status != 204 => $"a valid webhook answered {outcome.Status?.ToString(CultureInfo.InvariantCulture) ?? "nothing (closed)"}",
            RawRequest { Verdict: Verdict.Reject } when outcome.Status is not (null or >= 400 and < 500) => $"an invalid request answered {outcome.Status}",
            RawRequest { Verdict: Verdict.Either } when outcome.Status is not (null or 204 or >= 400 and < 500) => $"answered {outcome.Status}",
            _ => null,
        };
    }

    /// <summary>
    /// Each published event is the one of exactly one request that was answered 2xx and could be valid, and carries
    /// that request's form with nothing PostgreSQL could not store; each request answered 2xx published once.
    /// </summary>
    private static IEnumerable<(int Case, string Reason)> Publishes(FuzzCase[] cases, Outcome[] outcomes, List<JsonElement> published)
    {
        var byToken = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < cases.Length; i++)
        {
            if (cases[i] is RawRequest { Token: { } token })
            {
                byToken.TryAdd(token, i);
            }
        }

        var counts = new Dictionary<int, int>();
        foreach (var message in published)
        {
            var payload = message.GetProperty("payload").GetString() ?? "";
            var envelope = JsonSerializer.Deserialize<JsonElement>(payload);
            var body = envelope.GetProperty("message");
            var key = body.TryGetProperty("idempotencyKey", out var k) ? k.GetString() ?? "" : "";
            if (!byToken.TryGetValue(key, out var i))
            {
                yield return (-1, $"published an event no generated request carries: {payload[..Math.Min(payload.Length, 600)]}");
                continue;
            }

            counts[i] = counts.GetValueOrDefault(i) + 1;
            var request = (RawRequest)cases[i];
            var text = body.GetRawText();

            // A client that leaves after sending a valid webhook may find it published all the same (Twilio would
            // retry it under the same message id); a refusal never publishes.
            if (outcomes[i].Status is not (null or >= 200 and < 300) || request.Verdict == Verdict.Reject || request.Form is null)
            {
                yield return (i, $"published although answered {outcomes[i].Status?.ToString(CultureInfo.InvariantCulture) ?? "nothing"} ({request.Verdict}): {text[..Math.Min(text.Length, 800)]}");
            }
            else if (Invalid(request, envelope, body) is { } reason)
            {
                yield return (i, $"published {reason}: {text[..Math.Min(text.Length, 800)]}");
            }
        }

        for (var i = 0; i < cases.Length; i++)
        {
            var count = counts.GetValueOrDefault(i);
            if (cases[i] is RawRequest && (count > 1 || count == 0 && outcomes[i].Status is >= 200 and < 300))
            {
                yield return (i, $"answered {outcomes[i].Status?.ToString(CultureInfo.InvariantCulture) ?? "nothing"} and published {count} events");
            }
        }
    }

    /// <summary>What is invalid in a published event, judged by Twilio's wire rules independently of the gateway's code.</summary>
    private static string? Invalid(RawRequest request, JsonElement envelope, JsonElement message)
    {
        var types = envelope.GetProperty("messageType").EnumerateArray().Select(t => t.GetString()).ToList();
        if (!types.Contains("urn:message:" + GatewayFuzzCases.Events[request.Route]))
        {
            return $"as {string.Join(", ", types)} for {request.Route}";
        }

        if (Text(message).Any(t => t is null || !Storable(t)))
        {
            return "text PostgreSQL cannot store";
        }

        if (String(message, "accountSid") != Mesh.AccountSid)
        {
            return "an AccountSid of another account";
        }

        var (field, prefix) = GatewayFuzzCases.Keys[request.Route];
        if (!IsSid(String(message, field), prefix) || request.Route is "/twilio/voice/status" or "/twilio/voice/amd" or "/twilio/stream/status" && !IsSid(String(message, "callSid"), "CA"))
        {
            return $"a malformed {field}";
        }

        // Compared whatever the serializer's dictionary key policy.
        var sent = request.Form!.Select(f => (JsonNamingPolicy.CamelCase.ConvertName(f.Key), f.Value.ToString())).Order().ToList();
        var carried = message.GetProperty("parameters").EnumerateObject()
            .Select(p => (JsonNamingPolicy.CamelCase.ConvertName(p.Name), p.Value.GetString() ?? "")).Order().ToList();
        return sent.SequenceEqual(carried) ? null : "parameters that are not the form sent";
    }

    private static string? String(JsonElement message, string name) =>
        message.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool IsSid(string? sid, string prefix) =>
        sid is { Length: 34 } && sid.StartsWith(prefix, StringComparison.Ordinal) && !sid.AsSpan(2).ContainsAnyExcept(HexDigits);

    /// <summary>Every property name and string value in an event; null for one that is not valid UTF-16.</summary>
    private static IEnumerable<string?> Text(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    yield return property.Name;
                    foreach (var text in Text(property.Value))
                    {
                        yield return text;
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var text in element.EnumerateArray().SelectMany(Text))
                {
                    yield return text;
                }

                break;
            case JsonValueKind.String:
                yield return Decoded(element);
                break;
        }
    }

    private static string? Decoded(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static bool Storable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsControl(text[i]) || char.IsLowSurrogate(text[i]))
            {
                return false;
            }

            if (char.IsHighSurrogate(text[i]) && !(i + 1 < text.Length && char.IsLowSurrogate(text[++i])))
            {
                return false;
            }
        }

        return true;
    }

    private string Report(ulong seed, FuzzCase[] cases, Outcome[] outcomes, List<(int Case, string Reason)> failures)
    {
        var text = new StringBuilder($"Gateway fuzz, seed {seed} (replay with {SeedVariable}={seed}): {failures.Count} failure(s) in {cases.Length} requests.\n");
        foreach (var group in failures.GroupBy(f => f.Reason.Split(':')[0]).Take(10))
        {
            text.Append(CultureInfo.InvariantCulture, $"  {group.Count()} x {group.Key}\n");
        }

        var (first, reason) = failures[0];
        text.Append(first < 0
            ? $"First: {reason}\n"
            : $"First: case {first}, {reason} after {outcomes[first].Elapsed.TotalMilliseconds:F0} ms:\n{cases[first]}\n");
        foreach (var (i, why) in failures.Skip(1).Take(15))
        {
            text.Append(CultureInfo.InvariantCulture, $"  case {i}: {why}; {(i < 0 ? "" : cases[i].Description)}\n");
        }

        var traces = _mesh.Gateway.OutputLines.Where(l => l.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal)).Select(l => l[..Math.Min(l.Length, 1500)]).Take(10);
        return text.Append("Gateway errors:\n").AppendJoin('\n', traces).ToString();
    }

    /// <summary>Writes a request on a connection of its own and reads until the gateway closes it.</summary>
    private async Task<Outcome> Send(RawRequest request, CancellationToken ct)
    {
        var patience = request.Delivery == Delivery.Trickle ? SlowPatience : Patience;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(patience + TimeSpan.FromSeconds(3));
        using var tcp = new TcpClient { NoDelay = true };
        var clock = Stopwatch.StartNew();
        try
        {
            await tcp.ConnectAsync(_mesh.Gateway.BaseAddress.Host, _mesh.Gateway.BaseAddress.Port, timeout.Token);
            var stream = tcp.GetStream();
            var reading = ReadStatus(stream, timeout.Token);
            await Write(tcp, stream, request, reading, timeout.Token);
            var status = await reading;
            return new Outcome(status, clock.Elapsed, TimedOut: false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Outcome(null, clock.Elapsed, TimedOut: true);
        }
    }

    private static async Task Write(TcpClient tcp, NetworkStream stream, RawRequest request, Task<int?> answered, CancellationToken ct)
    {
        try
        {
            await stream.WriteAsync(request.Head, ct);
            switch (request.Delivery)
            {
                case Delivery.Whole:
                    await stream.WriteAsync(request.Body, ct);
                    break;
                case Delivery.HalfClose:
                    await stream.WriteAsync(request.Body, ct);
                    tcp.Client.Shutdown(SocketShutdown.Send);
                    break;
                case Delivery.Trickle:
                    foreach (var b in request.Body)
                    {
                        if (answered.IsCompleted)
                        {
                            break;
                        }

                        await stream.WriteAsync(new[] { b }, ct);
                        await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
                    }

                    break;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            // The gateway may answer and close before the whole request is written.
        }
    }

    /// <summary>The status the gateway answered, or null when it closed the connection without an answer.</summary>
    private static async Task<int?> ReadStatus(NetworkStream stream, CancellationToken ct)
    {
        var start = new byte[12];
        var read = 0;
        var buffer = new byte[8192];
        try
        {
            while (await stream.ReadAsync(buffer, ct) is var n and > 0)
            {
                var take = Math.Min(n, start.Length - read);
                buffer.AsSpan(0, take).CopyTo(start.AsSpan(read));
                read += take;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            // Reset after (or instead of) an answer: the connection is closed either way.
        }

        return read == start.Length && start.AsSpan(0, 9).SequenceEqual("HTTP/1.1 "u8)
            && int.TryParse(Encoding.ASCII.GetString(start, 9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : null;
    }

    /// <summary>A signed upgrade, the frames, then a close: how long the upgrade or the closing handshake took, whichever is longer.</summary>
    private async Task<Outcome> Converse(SocketSession session, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Patience + TimeSpan.FromSeconds(3));
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("X-Twilio-Signature", TwilioSignature.Compute(Mesh.AuthToken, MediaStreamMesh.StreamUrl, []));
        var media = new UriBuilder(_mesh.Gateway.BaseAddress) { Scheme = "ws", Path = "/twilio/media" }.Uri;
        var clock = Stopwatch.StartNew();
        try
        {
            try
            {
                await socket.ConnectAsync(media, timeout.Token);
            }
            catch (WebSocketException)
            {
                return new Outcome((int)socket.HttpStatusCode, clock.Elapsed, TimedOut: false);
            }

            var upgrade = clock.Elapsed;
            try
            {
                foreach (var frame in session.Frames)
                {
                    await socket.SendAsync(frame.Payload, frame.Type, endOfMessage: true, timeout.Token);
                }
            }
            catch (WebSocketException)
            {
                // The service closed the connection on a frame it refused.
            }

            var closing = Stopwatch.StartNew();
            try
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
            catch (WebSocketException)
            {
                // Already closed by the service.
            }

            return new Outcome(101, upgrade > closing.Elapsed ? upgrade : closing.Elapsed, TimedOut: false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Outcome(null, clock.Elapsed, TimedOut: true);
        }
    }

    private sealed record Outcome(int? Status, TimeSpan Elapsed, bool TimedOut);
}
