using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using VoiceMesh.ServiceDefaults;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>One entry written on a ledger stream.</summary>
public sealed record LedgerEntered(string LedgerId, string Text);

/// <summary>An inline snapshot listing its stream's entries in order, so a lost or doubled entry shows.</summary>
public sealed record Ledger
{
    public required string Id { get; init; }
    public ImmutableList<string> Entries { get; init; } = [];

    public static Ledger Create(LedgerEntered e) => new() { Id = e.LedgerId, Entries = [e.Text] };

    public Ledger Apply(LedgerEntered e) => this with { Entries = Entries.Add(e.Text) };
}

/// <summary>
/// The command path's group commit (<see cref="StreamCommands.ExecuteGrouped{T}"/>) on a schema of the shared PostgreSQL,
/// with two instances of the store writing at once: every message applied exactly once, a stream's commands decided in
/// turn, and one command that cannot be stored failing alone while the rest of its group is stored.
/// </summary>
public sealed class GroupCommitSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private readonly string _schema = TestInfrastructure.NewSchemaName("groupcommit");
    private readonly ConcurrentBag<int> _groups = [];
    private IHost _first = null!;
    private IHost _second = null!;
    private ActivityListener _listener = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == VoiceMeshTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.DisplayName == $"store {nameof(Ledger)} commands" && activity.GetTagItem("voicemesh.command.group_size") is int size)
                {
                    _groups.Add(size);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
        _first = await StartStore();
        _second = await StartStore();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        foreach (var host in new[] { _first, _second }.OfType<IAsyncDisposable>())
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_burst_from_two_instances_with_every_message_twice_applies_each_once_in_groups()
    {
        var ledgers = Enumerable.Range(0, 40).Select(_ => "ledger-" + Guid.NewGuid().ToString("N")).ToList();
        const int Entries = 5;
        var random = new Random(14);
        var deliveries = ledgers.SelectMany(id => Enumerable.Range(0, Entries).Select(n => (Id: id, Text: $"entry-{n}")))
            .SelectMany(m => new[] { (m.Id, m.Text, Store: _first), (m.Id, m.Text, Store: _second) })
            .OrderBy(_ => random.Next())
            .ToList();

        var appended = await Task.WhenAll(deliveries.Select(d => Enter(d.Store, d.Id, d.Text)));

        Assert.Equal(ledgers.Count * Entries, appended.Count(events => events.Count == 1));
        Assert.Equal(ledgers.Count * Entries, appended.Count(events => events.Count == 0));
        foreach (var id in ledgers)
        {
            var ledger = await Load(id);
            Assert.NotNull(ledger);
            Assert.Equal(Enumerable.Range(0, Entries).Select(n => $"entry-{n}").Order(), ledger.Entries.Order());
            Assert.Equal(Entries, await EventCount(id));
        }

        Assert.Contains(_groups, size => size > 1);
    }

    [Fact]
    public async Task A_command_postgres_cannot_store_and_a_decision_that_throws_fail_alone_while_their_group_is_stored()
    {
        // A stream whose row a transaction holds: the command on it waits in its commit, and every command after it
        // queues behind, so they are stored as one group once the lock is let go.
        var held = "ledger-" + Guid.NewGuid().ToString("N");
        await Enter(_first, held, "first");
        await using var locker = new NpgsqlConnection(infrastructure.PostgresConnectionString);
        await locker.OpenAsync(Ct);
        await using var transaction = await locker.BeginTransactionAsync(Ct);
        await using (var lockRow = new NpgsqlCommand($"select version from {_schema}.mt_streams where id = @id for update", locker, transaction))
        {
            lockRow.Parameters.AddWithValue("id", held);
            await lockRow.ExecuteScalarAsync(Ct);
        }

        var waiting = Enter(_first, held, "second");
        await Task.Delay(300, Ct);
        var ledgers = Enumerable.Range(0, 20).Select(_ => "ledger-" + Guid.NewGuid().ToString("N")).ToList();
        var stored = ledgers.Select(id => Enter(_first, id, "kept")).ToList();
        var unstorable = Enter(_first, ledgers[0] + "-nul", "no\0nul");
        var refused = Commands(_first).ExecuteGrouped<Ledger>(
            ledgers[0] + "-refused", "refused", _ => throw new InvalidOperationException("refused by its decision"), Ct);
        await Task.Delay(300, Ct);
        Assert.False(waiting.IsCompleted, "the command on the locked stream did not wait for the lock");
        await transaction.CommitAsync(Ct);

        Assert.Single(await waiting);
        Assert.All(await Task.WhenAll(stored), events => Assert.Single(events));
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => unstorable);
        Assert.IsNotType<StreamConflictException>(failure);
        Assert.Equal("refused by its decision", (await Assert.ThrowsAsync<InvalidOperationException>(() => refused)).Message);
        Assert.Equal(["first", "second"], (await Load(held))!.Entries);
        foreach (var id in ledgers)
        {
            Assert.Equal(["kept"], (await Load(id))!.Entries);
        }

        Assert.Null(await Load(ledgers[0] + "-nul"));
        Assert.Null(await Load(ledgers[0] + "-refused"));
        Assert.Contains(_groups, size => size >= ledgers.Count);
    }

    private Task<IHost> StartStore() => EventStoreHost.Start(infrastructure, _schema, opts =>
    {
        opts.Events.AddEventType<LedgerEntered>();
        opts.Projections.Snapshot<Ledger>(SnapshotLifecycle.Inline);
    });

    private static StreamCommands Commands(IHost host) => host.Services.GetRequiredService<StreamCommands>();

    /// <summary>Enters <paramref name="text"/> once (message id = the text), retrying a conflict as the endpoint's policy does.</summary>
    private static async Task<IReadOnlyList<object>> Enter(IHost store, string id, string text)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await Commands(store).ExecuteGrouped<Ledger>(id, text, _ => new object[] { new LedgerEntered(id, text) }, Ct);
            }
            catch (StreamConflictException) when (attempt < 5)
            {
                await Task.Delay(50 * attempt, Ct);
            }
        }
    }

    private async Task<Ledger?> Load(string id)
    {
        await using var session = _first.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.LoadAsync<Ledger>(id, Ct);
    }

    private async Task<long> EventCount(string id)
    {
        await using var connection = new NpgsqlConnection(infrastructure.PostgresConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand($"select count(*) from {_schema}.mt_events where stream_id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
