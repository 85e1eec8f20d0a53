using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceMesh.MediaStreams.Streaming;

namespace VoiceMesh.MediaStreams.Tests;

public sealed class StreamEventWriterSpecs
{
    private const string StreamSid = "MZ0123456789abcdef0123456789abcdef";
    private readonly FakeTimeProvider _clock = new();
    private readonly List<(string MessageId, object Event)> _stored = [];
    private int _failuresLeft;

    private Task Store(string messageId, object observed)
    {
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new TimeoutException("PostgreSQL is away");
        }

        lock (_stored)
        {
            _stored.Add((messageId, observed));
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_database_away_for_two_minutes_loses_no_event_and_keeps_their_order()
    {
        _failuresLeft = 2 * StreamEventWriter.OutageAttempts;
        using var stopping = new CancellationTokenSource();
        var writer = new StreamEventWriter(StreamSid, Store, _clock, NullLogger.Instance, stopping.Token);

        foreach (var e in new[] { "opened", "speech", "closed" })
        {
            await writer.Append(e, TestContext.Current.CancellationToken);
        }

        var start = _clock.GetUtcNow();
        var completed = writer.Complete();
        await AdvanceUntil(completed, TimeSpan.FromMinutes(5));

        Assert.True(_clock.GetUtcNow() - start > TimeSpan.FromMinutes(2));
        Assert.Equal([("e0", (object)"opened"), ("e1", "speech"), ("e2", "closed")], _stored);
    }

    [Fact]
    public async Task While_the_database_is_away_appending_waits_once_the_queue_is_full()
    {
        _failuresLeft = int.MaxValue;
        using var stopping = new CancellationTokenSource();
        var writer = new StreamEventWriter(StreamSid, Store, _clock, NullLogger.Instance, stopping.Token);

        var appended = 0;
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var exception = await Record.ExceptionAsync(async () =>
        {
            for (var i = 0; i < 2000; i++)
            {
                await writer.Append(i, patience.Token);
                appended++;
            }
        });

        Assert.IsAssignableFrom<OperationCanceledException>(exception);
        Assert.InRange(appended, 1024, 1025);
        await stopping.CancelAsync();
        await writer.Complete().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Empty(_stored);
    }

    /// <summary>Moves the fake clock a second at a time (letting the writer run between steps) until the task ends.</summary>
    private async Task AdvanceUntil(Task task, TimeSpan atMost)
    {
        var realTime = Stopwatch.StartNew();
        for (var advanced = TimeSpan.Zero; !task.IsCompleted && advanced < atMost && realTime.Elapsed < TimeSpan.FromSeconds(30); advanced += TimeSpan.FromSeconds(1))
        {
            await Task.Delay(2, TestContext.Current.CancellationToken);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        await task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }
}
