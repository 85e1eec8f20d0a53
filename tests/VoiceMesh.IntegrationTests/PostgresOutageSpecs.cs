using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// With its own PostgreSQL stopped under a steady stream of status webhooks (90 s at 10/s; issue 15's 40 s at 20/s),
/// Calls holds every acknowledged webhook and applies it, exactly once, once the database is back: nothing reaches an
/// <c>_error</c> queue.
/// </summary>
public sealed partial class PostgresOutageSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private const string ConsumerQueue = "call-status-callback-received";
    private static readonly TimeSpan Before = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan After = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Recovery = TimeSpan.FromMinutes(3);

    private IPostgresServer _postgres = null!;
    private string _vhostUri = "";
    private Mesh _mesh = null!;

    public async ValueTask InitializeAsync()
    {
        _postgres = await TestInfrastructure.StartPostgresServer();
        _vhostUri = await infrastructure.CreateVirtualHostAsync();
        _mesh = await Mesh.Start(_vhostUri, _postgres.ConnectionString, otherServices: Mesh.CallsAlone);
    }

    public async ValueTask DisposeAsync()
    {
        await _mesh.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public Task Ninety_seconds_without_postgres_under_steady_webhooks_loses_nothing_and_dead_letters_nothing() =>
        AssertOutageLosesNothing(TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(100));

    [Fact]
    public Task Forty_seconds_without_postgres_at_twenty_webhooks_a_second_loses_nothing_and_dead_letters_nothing() =>
        AssertOutageLosesNothing(TimeSpan.FromSeconds(40), TimeSpan.FromMilliseconds(50));

    private async Task AssertOutageLosesNothing(TimeSpan outage, TimeSpan interval)
    {
        var ct = TestContext.Current.CancellationToken;
        var acknowledged = new Dictionary<string, List<string>>();
        var refused = new List<string>();
        using var stopSending = new CancellationTokenSource();
        var sending = Send(acknowledged, refused, interval, stopSending.Token, ct);

        await Task.Delay(Before, ct);
        await _postgres.StopAsync();
        await Task.Delay(outage, ct);
        await _postgres.StartAsync();
        await Task.Delay(After, ct);
        await stopSending.CancelAsync();
        await sending;

        var recovery = Stopwatch.StartNew();
        var calls = await WaitUntilApplied(acknowledged, ct);
        recovery.Stop();
        await Task.Delay(VirtualHostQueues.StatisticsInterval, ct);
        using var broker = new VirtualHostQueues(infrastructure.RabbitMqManagementUri, _vhostUri);
        var queues = await broker.Depths(ct);
        var errorQueues = queues.Where(q => q.Key.EndsWith("_error", StringComparison.Ordinal)).ToDictionary();
        var faults = new List<string>();
        foreach (var (name, depth) in errorQueues.Where(q => q.Value is not 0))
        {
            faults.Add($"{name}: {await broker.Faults(name, ct)}");
        }

        var wrong = acknowledged
            .Select(a => Mismatch(a.Key, a.Value, calls[a.Key]))
            .OfType<string>()
            .ToList();

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{acknowledged.Count} calls, {acknowledged.Values.Sum(a => a.Count)} webhooks answered 204, {refused.Count} refused; "
            + $"waited {recovery.Elapsed} after sending; Calls exited: {_mesh.Calls[0].HasExited}");
        TestContext.Current.TestOutputHelper?.WriteLine(VirtualHostQueues.Describe(queues));
        TestContext.Current.TestOutputHelper?.WriteLine(ExceptionSummary(_mesh.Calls[0].OutputLines));

        Assert.Multiple(
            () => Assert.True(refused.Count == 0, $"{refused.Count} webhooks were not answered 204: {string.Join("; ", refused.Take(5))}"),
            () => Assert.True(acknowledged.Count >= 100, $"only {acknowledged.Count} calls were sent"),
            () => Assert.True(queues.ContainsKey(ConsumerQueue), $"no '{ConsumerQueue}' queue in the virtual host: {VirtualHostQueues.Describe(queues)}"),
            () => Assert.True(
                errorQueues.Values.All(depth => depth == 0),
                $"error queues are not empty: {VirtualHostQueues.Describe(errorQueues)}; {string.Join("; ", faults)}"),
            () => Assert.True(
                wrong.Count == 0,
                $"{wrong.Count} of {acknowledged.Count} calls do not hold exactly their acknowledged webhooks {Recovery} after sending stopped; "
                + $"first: {string.Join(" | ", wrong.Take(5))}"));
    }

    [Fact]
    public async Task After_postgres_returns_a_machine_is_still_hung_up_from_the_event_store()
    {
        await _postgres.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        await _postgres.StartAsync();

        // The outbox (Marten's async daemon) lost its database and must take up forwarding again by itself.
        const string to = "+14155557101";
        _mesh.Simulator.Control.AddOutcome(new TwilioSimulator.Calls.OutcomeRule
        {
            Match = to, Outcome = TwilioSimulator.Calls.CallOutcomeKind.Machine, AnsweredBy = "machine_start", TalkSeconds = 12_000,
        });
        var requestId = await _mesh.Place(new { to, twiml = "<Response/>", machineDetection = "Enable", asyncAmd = true, onMachine = "hangup" });
        var callSid = (await _mesh.WaitForPlacement(requestId, p => p.GetProperty("status").GetString() == "placed", TimeSpan.FromSeconds(90)))
            .GetProperty("callSid").GetString()!;

        await _mesh.WaitForCall(callSid, c => c.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(90));
    }

    /// <summary>
    /// One webhook per <paramref name="interval"/>, a new call every five, each call's lifecycle in Twilio's order, until
    /// <paramref name="stop"/>; the call under way when it comes is finished.
    /// </summary>
    private async Task Send(
        Dictionary<string, List<string>> acknowledged, List<string> refused, TimeSpan interval, CancellationToken stop, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        while (!stop.IsCancellationRequested)
        {
            var callSid = Mesh.NewCallSid();
            acknowledged[callSid] = [];
            for (var sequence = 0; sequence < Mesh.Lifecycle.Count; sequence++)
            {
                await timer.WaitForNextTickAsync(ct);
                var status = Mesh.Lifecycle[sequence];
                using var response = await _mesh.PostStatus(Mesh.StatusCallback(callSid, status, sequence), cancellationToken: ct);
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    acknowledged[callSid].Add(status);
                }
                else
                {
                    refused.Add($"{callSid} {status}: {(int)response.StatusCode}");
                }
            }
        }
    }

    /// <summary>Polls every call until each holds as many history entries as it had webhooks acknowledged, or <see cref="Recovery"/> passes.</summary>
    private async Task<Dictionary<string, JsonElement?>> WaitUntilApplied(
        Dictionary<string, List<string>> acknowledged, CancellationToken ct)
    {
        var last = acknowledged.Keys.ToDictionary(sid => sid, _ => (JsonElement?)null);
        var pending = new HashSet<string>(acknowledged.Keys);
        var deadline = Stopwatch.StartNew();
        while (pending.Count > 0 && deadline.Elapsed < Recovery)
        {
            foreach (var callSid in pending.ToList())
            {
                var call = await TryGetCall(callSid, ct);
                last[callSid] = call;
                if (call is { } c && c.GetProperty("history").GetArrayLength() >= acknowledged[callSid].Count)
                {
                    pending.Remove(callSid);
                }
            }

            if (pending.Count > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }

        return last;
    }

    private async Task<JsonElement?> TryGetCall(string callSid, CancellationToken ct)
    {
        try
        {
            return await _mesh.GetCall(callSid, ct);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Why a call does not hold exactly its acknowledged webhooks, each once and in lifecycle order, or null.</summary>
    private static string? Mismatch(string callSid, List<string> acknowledged, JsonElement? call)
    {
        if (acknowledged.Count == 0)
        {
            return null;
        }

        if (call is not { } c)
        {
            return $"{callSid}: not found (acknowledged {string.Join(",", acknowledged)})";
        }

        var history = c.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()).ToList();
        var status = c.GetProperty("status").GetString();
        return status == acknowledged[^1] && history.SequenceEqual(acknowledged)
            ? null
            : $"{callSid}: status {status}, history [{string.Join(",", history)}] (acknowledged {string.Join(",", acknowledged)})";
    }

    /// <summary>The exception types (and PostgreSQL SQLSTATE codes) Calls logged, with how many lines named each.</summary>
    private static string ExceptionSummary(IReadOnlyList<string> lines)
    {
        var types = lines
            .SelectMany(line => ExceptionType().Matches(line).Select(m => m.Value))
            .Concat(lines.SelectMany(line => SqlState().Matches(line).Select(m => "SQLSTATE " + m.Groups[1].Value)))
            .CountBy(name => name)
            .OrderByDescending(c => c.Value)
            .Select(c => $"{c.Key} x{c.Value}");
        return $"Calls logged {lines.Count} lines; exceptions: {string.Join(", ", types)}";
    }

    [GeneratedRegex(@"\b(?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Za-z_][A-Za-z0-9_]*Exception\b")]
    private static partial Regex ExceptionType();

    [GeneratedRegex(@"PostgresException \(0x[0-9A-Fa-f]+\): ([0-9A-Z]{5}):")]
    private static partial Regex SqlState();
}
