using Microsoft.Extensions.Options;

namespace VoiceMesh.Calls.Placement;

/// <summary>
/// Spaces Twilio Calls creates at least 1/<see cref="CallsOptions.CallsPerSecond"/> apart (plus a small margin),
/// measured when each HTTP attempt is sent, retries of a 429 included. Twilio counts calls per second over a
/// rolling window; a token bucket would let a stored token and the next refill through back to back, which that
/// window counts as a burst. The placement queue's single active consumer makes this one instance's pace the
/// account's.
/// </summary>
public sealed class CallCreatePacer(IOptions<CallsOptions> options, TimeProvider clock)
{
    /// <summary>How much longer than 1/rate each gap is, to absorb jitter between here and Twilio.</summary>
    public const double Margin = 1.04;

    private readonly TimeSpan _gap = TimeSpan.FromSeconds(Margin / options.Value.CallsPerSecond);
    private readonly Lock _gate = new();
    private DateTimeOffset _nextSlot = DateTimeOffset.MinValue;

    /// <summary>Reserves the next free slot and returns how long to wait for it.</summary>
    public TimeSpan Reserve()
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            var slot = _nextSlot > now ? _nextSlot : now;
            _nextSlot = slot + _gap;
            return slot - now;
        }
    }
}

/// <summary>Waits for a <see cref="CallCreatePacer"/> slot before each Calls create leaves for Twilio.</summary>
public sealed class CallCreatePacingHandler(CallCreatePacer pacer, TimeProvider clock) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method == HttpMethod.Post
            && request.RequestUri?.AbsolutePath.EndsWith("/Calls.json", StringComparison.Ordinal) == true)
        {
            var wait = pacer.Reserve();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock, cancellationToken);
            }
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
