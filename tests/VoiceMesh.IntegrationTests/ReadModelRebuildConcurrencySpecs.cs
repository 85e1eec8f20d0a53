using System.Collections.Immutable;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using VoiceMesh.ServiceDefaults;
using VoiceMesh.ServiceDefaults.ReadModels;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>One counted value of a tally stream.</summary>
public sealed record TallyCounted(string TallyId, int Value);

/// <summary>A minimal inline snapshot: the values of its stream in order, so a document missing any event shows it.</summary>
public sealed record Tally
{
    public required string Id { get; init; }
    public ImmutableList<int> Values { get; init; } = [];

    public static Tally Create(TallyCounted e) => new() { Id = e.TallyId, Values = [e.Value] };

    public Tally Apply(TallyCounted e) => this with { Values = Values.Add(e.Value) };
}

/// <summary>
/// The event store's rebuild against its command path, in-process on a schema of the shared PostgreSQL: an append
/// that meets a rebuild, or an emptied read model, never leaves a document built from part of its stream.
/// </summary>
public sealed class ReadModelRebuildConcurrencySpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private readonly string _schema = TestInfrastructure.NewSchemaName("rebuild");
    private IHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private StreamCommands Commands => _host.Services.GetRequiredService<StreamCommands>();

    private ReadModelRebuilder Rebuilder => _host.Services.GetRequiredService<ReadModelRebuilder>();

    public async ValueTask InitializeAsync() =>
        _host = await EventStoreHost.Start(infrastructure, _schema, opts =>
        {
            opts.Events.AddEventType<TallyCounted>();
            opts.Projections.Snapshot<Tally>(SnapshotLifecycle.Inline);
        });

    public async ValueTask DisposeAsync()
    {
        if (_host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_append_to_a_stream_whose_document_is_gone_waits_for_the_rebuild_lock_and_continues_from_every_event()
    {
        var id = "tally-" + Guid.NewGuid().ToString("N");
        for (var value = 1; value <= 3; value++)
        {
            await Count(id, value);
        }

        await Sql($"truncate table {_schema}.mt_doc_tally");

        // A rebuild of the stream in progress: it holds the stream's row lock.
        await using var rebuild = new NpgsqlConnection(infrastructure.PostgresConnectionString);
        await rebuild.OpenAsync(Ct);
        await using var transaction = await rebuild.BeginTransactionAsync(Ct);
        await using (var lockRow = new NpgsqlCommand($"select version from {_schema}.mt_streams where id = @id for update", rebuild, transaction))
        {
            lockRow.Parameters.AddWithValue("id", id);
            Assert.Equal(3L, await lockRow.ExecuteScalarAsync(Ct));
        }

        var append = Count(id, 4);
        await Task.Delay(500, Ct);
        Assert.False(append.IsCompleted, "the append did not wait for the stream's lock");
        await transaction.CommitAsync(Ct);
        await append;

        Assert.Equal([1, 2, 3, 4], (await Load(id))!.Values);
        Assert.Equal(0, (await Rebuilder.Verify(Rebuilder.Select(nameof(Tally)), Ct)).Single().Mismatched);
    }

    [Fact]
    public async Task Rebuilds_racing_appends_and_an_emptied_table_leave_every_document_equal_to_its_stream()
    {
        var ids = Enumerable.Range(0, 16).Select(_ => "tally-" + Guid.NewGuid().ToString("N")).ToList();
        const int Values = 50;
        foreach (var id in ids)
        {
            await Count(id, 1);
        }

        var appends = Task.WhenAll(ids.Select(async id =>
        {
            for (var value = 2; value <= Values; value++)
            {
                await Count(id, value);
            }
        }));

        // The table emptied while appends go on, then rebuilt over and over until they end.
        await Sql($"truncate table {_schema}.mt_doc_tally");
        var rebuildsDuringAppends = 0;
        while (!appends.IsCompleted)
        {
            await Rebuilder.Rebuild(Rebuilder.Select(nameof(Tally)), fromEmpty: false, Ct);
            rebuildsDuringAppends++;
        }

        await appends;
        Assert.True(rebuildsDuringAppends >= 1 && !appends.IsFaulted);
        foreach (var id in ids)
        {
            Assert.Equal(Enumerable.Range(1, Values), (await Load(id))!.Values);
        }

        var verified = (await Rebuilder.Verify(Rebuilder.Select(nameof(Tally)), Ct)).Single();
        Assert.True(verified.Streams >= ids.Count);
        Assert.Equal(0, verified.Mismatched);
    }

    private async Task Count(string id, int value) =>
        await Commands.Execute<Tally>(id, $"{id}-{value}", _ => new object[] { new TallyCounted(id, value) }, Ct);

    private async Task<Tally?> Load(string id)
    {
        await using var session = _host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.LoadAsync<Tally>(id, Ct);
    }

    private async Task Sql(string sql)
    {
        await using var connection = new NpgsqlConnection(infrastructure.PostgresConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }
}
