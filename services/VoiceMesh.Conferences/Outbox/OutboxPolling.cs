using Marten;
using Microsoft.Extensions.Options;

namespace VoiceMesh.Conferences.Outbox;

/// <summary>Sets the daemon's polling to <see cref="ConferencesOptions.OutboxPollingInterval"/>, so decisions leave soon after they are stored.</summary>
internal sealed class OutboxPolling(IOptions<ConferencesOptions> options) : IConfigureMarten
{
    public void Configure(IServiceProvider services, StoreOptions opts)
    {
        opts.Projections.FastPollingTime = options.Value.OutboxPollingInterval;
        opts.Projections.SlowPollingTime = options.Value.OutboxPollingInterval;
    }
}
