using Microsoft.Extensions.Options;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Lifecycle;

/// <summary>The release path shared by <c>ReleaseNumber</c> and <c>DELETE /api/numbers/{phoneNumber}</c>.</summary>
public sealed class NumberReleases(StreamCommands commands, IOptions<NumberPoolOptions> options, TimeProvider clock)
{
    private const int ConflictAttempts = 4;

    public static bool InvalidText(string? text) => string.IsNullOrWhiteSpace(text) || text.Length > 500 || text.Any(char.IsControl);

    /// <summary>Quarantines the number unless it is not owned or already on its way out; a concurrent write is decided again.</summary>
    public async Task<ReleaseOutcome> Release(string phoneNumber, string reason, string requestedBy, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var outcome = ReleaseOutcome.NotFound;
            try
            {
                await commands.Execute<Number>(phoneNumber, null, n =>
                {
                    var (decision, met) = Number.Release(n, reason, requestedBy, clock.GetUtcNow(), options.Value.QuarantinePeriod);
                    outcome = met;
                    return decision;
                }, cancellationToken);
                return outcome;
            }
            catch (StreamConflictException) when (attempt < ConflictAttempts)
            {
            }
        }
    }
}
