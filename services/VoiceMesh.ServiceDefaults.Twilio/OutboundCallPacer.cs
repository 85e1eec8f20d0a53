using Microsoft.Extensions.DependencyInjection;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// Spaces the Twilio requests that start an outbound call (a Calls create, a conference Participants create) at least
/// 1/<c>callsPerSecond</c> apart (plus a small margin), measured when each HTTP attempt is sent, retries of a 429
/// included. Twilio counts calls per second over a rolling window; a token bucket would let a stored token and the
/// next refill through back to back, which that window counts as a burst. A service whose creating queue has a
/// single active consumer paces for the whole service; the account's rate is shared out between services by their
/// settings (e.g. <c>Calls:CallsPerSecond</c> plus <c>Conferences:DialsPerSecond</c>).
/// </summary>
public sealed class OutboundCallPacer(double callsPerSecond, TimeProvider clock)
{
    /// <summary>How much longer than 1/rate each gap is, to absorb jitter between here and Twilio.</summary>
    public const double Margin = 1.04;

    private readonly TimeSpan _gap = TimeSpan.FromSeconds(Margin / callsPerSecond);
    private readonly Lock _gate = new();
    private DateTimeOffset _nextSlot = DateTimeOffset.MinValue;
    private int _waiting;

    /// <summary>Requests waiting for their slot right now (reserved and not yet sent).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

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

    /// <summary>Reserves the next free slot and waits for it, counted in <see cref="Waiting"/> meanwhile.</summary>
    public async Task WaitForSlot(CancellationToken cancellationToken)
    {
        var wait = Reserve();
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        Interlocked.Increment(ref _waiting);
        try
        {
            await Task.Delay(wait, clock, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>Whether <paramref name="request"/> starts an outbound call at Twilio: a POST to <c>Calls.json</c> or to a conference's <c>Participants.json</c>.</summary>
    public static bool StartsCall(HttpRequestMessage request) =>
        request.Method == HttpMethod.Post
        && request.RequestUri?.AbsolutePath is { } path
        && (path.EndsWith("/Calls.json", StringComparison.Ordinal)
            || (path.EndsWith("/Participants.json", StringComparison.Ordinal) && path.Contains("/Conferences/", StringComparison.Ordinal)));
}

/// <summary>Waits for an <see cref="OutboundCallPacer"/> slot before each request that starts a call leaves for Twilio.</summary>
public sealed class OutboundCallPacingHandler(OutboundCallPacer pacer) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (OutboundCallPacer.StartsCall(request))
        {
            await pacer.WaitForSlot(cancellationToken);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}

public static class OutboundCallPacing
{
    /// <summary>
    /// The Twilio SDK client (<see cref="TwilioClientExtensions.AddTwilioClient"/>) with every request that starts a
    /// call paced to <paramref name="callsPerSecond"/>, once per HTTP attempt, below the resilience pipeline.
    /// </summary>
    public static IServiceCollection AddPacedTwilioClient(this IServiceCollection services, Func<IServiceProvider, double> callsPerSecond)
    {
        services.AddSingleton(sp => new OutboundCallPacer(callsPerSecond(sp), sp.GetRequiredService<TimeProvider>()));
        services.AddTransient<OutboundCallPacingHandler>();
        return services.AddTwilioClient(client => client.AddHttpMessageHandler<OutboundCallPacingHandler>());
    }
}
