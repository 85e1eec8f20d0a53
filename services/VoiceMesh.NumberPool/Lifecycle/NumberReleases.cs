using Microsoft.Extensions.Options;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Lifecycle;

/// <summary>
/// The requested lifecycle steps: release (shared by <c>ReleaseNumber</c> and <c>DELETE /api/numbers/{phoneNumber}</c>),
/// suspension and resumption; a concurrent write is decided again.
/// </summary>
public sealed class NumberReleases(StreamCommands commands, IOptions<NumberPoolOptions> options, TimeProvider clock)
{
    private const int ConflictAttempts = 4;

    public static bool InvalidText(string? text) => string.IsNullOrWhiteSpace(text) || text.Length > 500 || text.Any(char.IsControl);

    /// <summary>Quarantines the number unless it is not owned or already on its way out.</summary>
    public Task<ReleaseOutcome> Release(string phoneNumber, string reason, string requestedBy, CancellationToken cancellationToken) =>
        Decide(phoneNumber, n => Number.Release(n, reason, requestedBy, clock.GetUtcNow(), options.Value.QuarantinePeriod), ReleaseOutcome.NotFound, cancellationToken);

    /// <summary>Takes an active or cooling-down number out of selection.</summary>
    public Task<SuspensionOutcome> Suspend(string phoneNumber, string reason, string requestedBy, CancellationToken cancellationToken) =>
        Decide(phoneNumber, n => Number.Suspend(n, reason, requestedBy, clock.GetUtcNow()), SuspensionOutcome.NotFound, cancellationToken);

    /// <summary>Puts a suspended number back in selection.</summary>
    public Task<SuspensionOutcome> Resume(string phoneNumber, string reason, string requestedBy, CancellationToken cancellationToken) =>
        Decide(phoneNumber, n => Number.Resume(n, reason, requestedBy, clock.GetUtcNow()), SuspensionOutcome.NotFound, cancellationToken);

    private Task<TOutcome> Decide<TOutcome>(
        string phoneNumber, Func<Number?, (Decision Decision, TOutcome Outcome)> decide, TOutcome notFound, CancellationToken cancellationToken) =>
        ConflictRetry.Run(
            async () =>
            {
                var outcome = notFound;
                await commands.Execute<Number>(phoneNumber, null, n =>
                {
                    var (decision, met) = decide(n);
                    outcome = met;
                    return decision;
                }, cancellationToken);
                return outcome;
            },
            ConflictAttempts,
            clock,
            cancellationToken);
}
