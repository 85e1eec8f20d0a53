using Marten;
using Microsoft.Extensions.Caching.Memory;

namespace VoiceMesh.Calls.Flows;

/// <summary>One saved version of a flow, never changed after it is stored. Id: <c>{flowId}@{version}</c>.</summary>
public sealed record FlowVersion
{
    public required string Id { get; init; }
    public required string FlowId { get; init; }
    public required int Version { get; init; }

    /// <summary>The flow as saved, in <see cref="FlowJson"/>'s form.</summary>
    public required string Json { get; init; }

    public required DateTimeOffset SavedAt { get; init; }

    /// <summary><c>api</c>, or <c>file</c> for one loaded from the flows directory.</summary>
    public required string Source { get; init; }

    public static string IdOf(string flowId, int version) => $"{flowId}@{version}";
}

/// <summary>A flow's latest version. A deleted flow answers no new call; calls already in it keep their version.</summary>
public sealed record FlowHead
{
    public required string Id { get; init; }
    public required int LatestVersion { get; init; }
    public required DateTimeOffset SavedAt { get; init; }
    public bool Deleted { get; init; }
}

/// <summary>The flow that answers calls to a phone number. Id: the number in E.164.</summary>
public sealed record NumberAssignment
{
    public required string Id { get; init; }
    public required string FlowId { get; init; }
    public required DateTimeOffset AssignedAt { get; init; }
}

/// <summary>A loaded flow version.</summary>
public sealed record LoadedFlow(string FlowId, int Version, FlowDefinition Definition);

/// <summary>
/// Flows in Marten: immutable versions plus a head per flow, and number assignments. A version once read is kept in
/// memory (it never changes); heads and assignments are read from the database on each call.
/// </summary>
public sealed class FlowStore(IDocumentStore store, IMemoryCache cache, TimeProvider clock, Microsoft.Extensions.Options.IOptions<FlowOptions> options)
{
    /// <summary>
    /// The latest version of the flow that answers calls to <paramref name="phoneNumber"/> (its assigned flow, else
    /// <paramref name="defaultFlow"/>), as serving reads it: assignments and heads are remembered for
    /// <see cref="FlowOptions.CacheFor"/>, so an edit reaches new calls on other instances within that time (at once
    /// on the instance that saved it).
    /// </summary>
    public async Task<LoadedFlow?> Answering(string phoneNumber, string defaultFlow, CancellationToken cancellationToken)
    {
        var assigned = await Cached($"number:{phoneNumber}", () => FlowFor(phoneNumber, cancellationToken));
        foreach (var flowId in assigned is null ? [defaultFlow] : new[] { assigned, defaultFlow })
        {
            var head = await Cached($"head:{flowId}", () => Head(flowId, cancellationToken));
            if (head is { Deleted: false })
            {
                return await Load(flowId, head.LatestVersion, cancellationToken);
            }
        }

        return null;
    }

    private async Task<T?> Cached<T>(string key, Func<Task<T?>> read)
        where T : class
    {
        if (cache.TryGetValue<Remembered<T>>(key, out var remembered) && remembered is not null)
        {
            return remembered.Value;
        }

        var value = await read();
        cache.Set(key, new Remembered<T>(value), options.Value.CacheFor);
        return value;
    }

    private void Forget(string key) => cache.Remove(key);

    /// <summary>A cached lookup, absence included.</summary>
    private sealed record Remembered<T>(T? Value);

    /// <summary>Saves <paramref name="flow"/> as the next version; null when someone else saved a version meanwhile.</summary>
    public async Task<FlowVersion?> Save(string flowId, FlowDefinition flow, string source, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var head = await session.LoadAsync<FlowHead>(flowId, cancellationToken);
        var version = (head?.LatestVersion ?? 0) + 1;
        var now = clock.GetUtcNow();
        var saved = new FlowVersion
        {
            Id = FlowVersion.IdOf(flowId, version),
            FlowId = flowId,
            Version = version,
            Json = FlowJson.Write(flow),
            SavedAt = now,
            Source = source,
        };
        session.Insert(saved);
        session.Store(new FlowHead { Id = flowId, LatestVersion = version, SavedAt = now });
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is JasperFx.DocumentAlreadyExistsException || ex.InnerException is JasperFx.DocumentAlreadyExistsException)
        {
            return null;
        }

        Forget($"head:{flowId}");
        return saved;
    }

    public async Task<FlowHead?> Head(string flowId, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<FlowHead>(flowId, cancellationToken);
    }

    public async Task<IReadOnlyList<FlowHead>> Heads(CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.Query<FlowHead>().Where(h => !h.Deleted).OrderBy(h => h.Id).ToListAsync(cancellationToken);
    }

    public async Task<FlowVersion?> Stored(string flowId, int version, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<FlowVersion>(FlowVersion.IdOf(flowId, version), cancellationToken);
    }

    /// <summary>A version, parsed; null when it was never saved.</summary>
    public async Task<LoadedFlow?> Load(string flowId, int version, CancellationToken cancellationToken)
    {
        var id = FlowVersion.IdOf(flowId, version);
        if (cache.TryGetValue<LoadedFlow>(id, out var cached) && cached is not null)
        {
            return cached;
        }

        var stored = await Stored(flowId, version, cancellationToken);
        if (stored is null || FlowJson.Parse(stored.Json).Flow is not { } definition)
        {
            return null;
        }

        var loaded = new LoadedFlow(flowId, version, definition);
        cache.Set(id, loaded, new MemoryCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(30) });
        return loaded;
    }

    public async Task<bool> Delete(string flowId, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var head = await session.LoadAsync<FlowHead>(flowId, cancellationToken);
        if (head is null || head.Deleted)
        {
            return false;
        }

        session.Store(head with { Deleted = true });
        session.DeleteWhere<NumberAssignment>(a => a.FlowId == flowId);
        await session.SaveChangesAsync(cancellationToken);
        Forget($"head:{flowId}");
        return true;
    }

    public async Task<string?> FlowFor(string phoneNumber, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return (await session.LoadAsync<NumberAssignment>(phoneNumber, cancellationToken))?.FlowId;
    }

    public async Task<IReadOnlyList<string>> Numbers(string flowId, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.Query<NumberAssignment>().Where(a => a.FlowId == flowId).OrderBy(a => a.Id).Select(a => a.Id).ToListAsync(cancellationToken);
    }

    public async Task Assign(string phoneNumber, string flowId, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        session.Store(new NumberAssignment { Id = phoneNumber, FlowId = flowId, AssignedAt = clock.GetUtcNow() });
        await session.SaveChangesAsync(cancellationToken);
        Forget($"number:{phoneNumber}");
    }

    public async Task<bool> Unassign(string phoneNumber, string flowId, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var assignment = await session.LoadAsync<NumberAssignment>(phoneNumber, cancellationToken);
        if (assignment?.FlowId != flowId)
        {
            return false;
        }

        session.Delete(assignment);
        await session.SaveChangesAsync(cancellationToken);
        Forget($"number:{phoneNumber}");
        return true;
    }
}
