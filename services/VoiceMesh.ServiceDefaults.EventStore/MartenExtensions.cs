using JasperFx;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Hosting;
using VoiceMesh.ServiceDefaults.ReadModels;

namespace VoiceMesh.ServiceDefaults;

public static class MartenExtensions
{
    public const string ConnectionName = "Postgres";

    /// <summary>
    /// Marten on PostgreSQL with string stream ids (one stream per Twilio SID), the one command path
    /// (<see cref="StreamCommands"/>) and the PostgreSQL failure classes of the retry policy. The schema defaults to
    /// the service's own and can be overridden with <c>Marten:Schema</c>. Each slice adds its own event types and
    /// projections with <c>services.ConfigureMarten(...)</c>. Its inline snapshots (the read models) can be rebuilt
    /// online through the admin endpoints every such service serves (<see cref="ReadModelAdmin"/>), or from the events
    /// alone in a one-shot run (<see cref="RebuildFromEventsAndExit"/>).
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddEventStore(
        this IHostApplicationBuilder builder, string defaultSchema)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not set (environment ConnectionStrings__{ConnectionName}).");
        }

        var schema = builder.Configuration["Marten:Schema"] is { Length: > 0 } configured ? configured : defaultSchema;
        builder.Services.AddHealthChecks().AddNpgSql(connectionString, name: "postgres", tags: [HostingExtensions.ReadyTag]);
        builder.Services.AddSingleton<IFailureClassifier, PostgresFailureClassifier>();

        // Marten logs an Error per statement of every failed batch, conflicts and duplicates included; the exception
        // reaches the retry policy, which logs it once (R-RETRY, R-FAULT) with what became of the message.
        builder.Logging.AddFilter("Marten.IDocumentStore", LogLevel.Critical);
        builder.Services.AddSingleton<StreamCommands>();
        builder.Services.AddSingleton<AfterCommit>();
        builder.Services.AddSingleton<ReadModelRebuilder>();
        builder.Services.AddTransient<IStartupFilter, ReadModelAdmin>();
        if (builder.Configuration.GetValue<bool>(RebuildFromEventsAndExit.Setting))
        {
            builder.Services.AddHostedService<RebuildFromEventsAndExit>();
        }

        return builder.Services.AddMarten(opts =>
            {
                opts.Connection(WithPreparedStatements(connectionString));
                opts.DatabaseSchemaName = schema;
                opts.Events.StreamIdentity = StreamIdentity.AsString;
                opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
                opts.UseSystemTextJsonForSerialization();
                opts.Schema.For<ProcessedMessage>();

                // An append writes its inline snapshot from the aggregate it fetched for writing (whose version its
                // commit checks), not from a second read of the document: a read model emptied or being rebuilt
                // meanwhile cannot make it write a document built from part of its stream (ReadModelRebuilder).
                opts.Projections.UseIdentityMapForAggregates = true;
            })
            .UseLightweightSessions();
    }

    /// <summary>The statements Npgsql prepares per connection unless the connection string sets it.</summary>
    public const int DefaultMaxAutoPrepare = 64;

    /// <summary>
    /// Npgsql's automatic statement preparation, on unless the connection string sets <c>Max Auto Prepare</c>. Marten
    /// runs the same few statements for every command; prepared, PostgreSQL plans them once per connection instead of
    /// every time. It also changes what a pooled connection is reset with: without it Npgsql sends <c>DISCARD ALL</c>,
    /// which throws away the cached plans of Marten's PL/pgSQL append function too (measured with pg_stat_statements
    /// under the twiml-menu benchmark: that function took 1.26 ms per call with <c>DISCARD ALL</c>, 0.41 ms without,
    /// and PostgreSQL's CPU per TwiML turn fell by about 45%). The reset still releases advisory locks.
    /// </summary>
    public static string WithPreparedStatements(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.Keys.Cast<string>().Any(key => key.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
        {
            return connectionString;
        }

        return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = DefaultMaxAutoPrepare }.ConnectionString;
    }
}
