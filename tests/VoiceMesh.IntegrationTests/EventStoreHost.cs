using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VoiceMesh.ServiceDefaults;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// The event store as a service configures it (<see cref="MartenExtensions.AddEventStore"/>: the command path, the
/// read-model rebuilder), in-process on a schema of the shared PostgreSQL, with the event types and projections a spec
/// adds; its schema objects are created before it is returned. Several hosts on one schema stand for several instances.
/// </summary>
internal static class EventStoreHost
{
    public static async Task<IHost> Start(TestInfrastructure infrastructure, string schema, Action<StoreOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = infrastructure.PostgresConnectionString,
            ["Marten:Schema"] = schema,
        });
        builder.AddEventStore(schema);
        builder.Services.ConfigureMarten(configure);
        var host = builder.Build();
        await host.Services.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return host;
    }
}
