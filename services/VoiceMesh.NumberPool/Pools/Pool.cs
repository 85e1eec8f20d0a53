using System.Collections.Immutable;
using System.Text.RegularExpressions;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Pools;

/// <summary>
/// What each number of a pool may carry: concurrent calls, calls per clock hour and per day, and a pause of
/// <see cref="Cooldown"/> after every <see cref="CooldownAfterCalls"/> calls. Null means no such limit.
/// </summary>
public sealed record PoolLimits(int MaxConcurrentCalls, int? MaxCallsPerHour, int? MaxCallsPerDay, int? CooldownAfterCalls, TimeSpan? Cooldown);

/// <summary>
/// When a number of the pool is put in cooldown for its reputation: over the calls that ended in the last
/// <see cref="Window"/>, once it has <see cref="MinCalls"/> answered or unanswered calls and the rest of the pool as
/// many, its answer rate is below <see cref="AnswerRateRatio"/> times the rest of the pool's. It then cools down for
/// <see cref="Cooldown"/>. An answered call shorter than <see cref="ShortCallSeconds"/> counts as short (evidence only).
/// </summary>
public sealed record PoolReputation(TimeSpan Window, int MinCalls, double AnswerRateRatio, int ShortCallSeconds, TimeSpan Cooldown)
{
    /// <summary>What a pool defined without thresholds uses: an hour, 20 calls, half the pool's rate, 10 s, a day.</summary>
    public static PoolReputation Default { get; } = new(TimeSpan.FromHours(1), 20, 0.5, 10, TimeSpan.FromDays(1));
}

/// <summary>
/// A pool was defined or redefined: its tags (tenant, campaign, ...), its numbers' limits and its reputation
/// thresholds (null in definitions stored before thresholds existed: <see cref="PoolReputation.Default"/>).
/// </summary>
public sealed record PoolDefined(
    string Pool, ImmutableList<string> Tags, PoolLimits Limits, string DefinedBy, DateTimeOffset DefinedAt, PoolReputation? Reputation = null);

/// <summary>
/// A named group of numbers (one stream per pool, <c>pool:{name}</c>), folded into the document its read model is
/// served from. Numbers are provisioned into a pool that exists; callers ask a pool for caller ids.
/// </summary>
public sealed partial record Pool
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public ImmutableList<string> Tags { get; init; } = [];
    public required PoolLimits Limits { get; init; }
    public PoolReputation Reputation { get; init; } = PoolReputation.Default;
    public required string DefinedBy { get; init; }
    public required DateTimeOffset DefinedAt { get; init; }

    public const string NameDescription = "A pool name is 1-64 characters: lower-case letters, digits, '-', '_' or '.', starting with a letter or digit.";

    public static string StreamId(string name) => $"pool:{name}";

    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    public static Pool Create(PoolDefined e) =>
        new()
        {
            Id = StreamId(e.Pool), Name = e.Pool, Tags = e.Tags, Limits = e.Limits, Reputation = e.Reputation ?? PoolReputation.Default,
            DefinedBy = e.DefinedBy, DefinedAt = e.DefinedAt,
        };

    public static Pool Apply(PoolDefined e, Pool pool) =>
        pool with { Tags = e.Tags, Limits = e.Limits, Reputation = e.Reputation ?? PoolReputation.Default, DefinedBy = e.DefinedBy, DefinedAt = e.DefinedAt };

    /// <summary>A definition that changes nothing appends nothing.</summary>
    public static Decision Define(Pool? pool, PoolDefined definition) =>
        pool is not null && pool.Limits == definition.Limits && pool.Reputation == (definition.Reputation ?? PoolReputation.Default)
            && pool.Tags.SequenceEqual(definition.Tags)
            ? Decision.None
            : new object[] { definition };

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
