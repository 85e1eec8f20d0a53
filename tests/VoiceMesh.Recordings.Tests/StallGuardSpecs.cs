using Microsoft.Extensions.Time.Testing;
using VoiceMesh.Recordings.Archiving;

namespace VoiceMesh.Recordings.Tests;

/// <summary>A media body that stops sending is given up as an outage, however long the download has run.</summary>
public sealed class StallGuardSpecs
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_read_that_gets_no_byte_within_the_limit_is_an_outage()
    {
        var clock = new FakeTimeProvider();
        var body = new Stalling();
        await using var guarded = new StallGuardStream(body, Limit, clock);

        var reading = guarded.ReadAsync(new byte[16], TestContext.Current.CancellationToken).AsTask();
        await body.Waiting.Task;
        clock.Advance(Limit - TimeSpan.FromSeconds(1));
        Assert.False(reading.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));

        var stalled = await Assert.ThrowsAsync<MediaUnavailableException>(() => reading);
        Assert.Contains("30 s", stalled.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_byte_that_comes_starts_the_limit_again()
    {
        var clock = new FakeTimeProvider();
        await using var guarded = new StallGuardStream(new MemoryStream([1, 2, 3]), Limit, clock);
        var buffer = new byte[1];

        for (var i = 0; i < 3; i++)
        {
            clock.Advance(Limit * 2);
            Assert.Equal(1, await guarded.ReadAsync(buffer, TestContext.Current.CancellationToken));
        }

        Assert.Equal(0, await guarded.ReadAsync(buffer, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_callers_own_cancellation_stays_a_cancellation()
    {
        using var cancel = new CancellationTokenSource();
        var body = new Stalling();
        await using var guarded = new StallGuardStream(body, Limit, new FakeTimeProvider());

        var reading = guarded.ReadAsync(new byte[16], cancel.Token).AsTask();
        await body.Waiting.Task;
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
    }

    /// <summary>A body whose next read never completes until it is cancelled.</summary>
    private sealed class Stalling : Stream
    {
        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Waiting.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
