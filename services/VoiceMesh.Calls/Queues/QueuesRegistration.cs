using JasperFx.Events.Projections;
using Marten;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Queues;

/// <summary>
/// Call queues: the queue read model from the callers' own streams, and DequeueCall (bus or API), which chooses the
/// longest-waiting caller on the queue's stream and bridges it to an agent from the event store.
/// </summary>
internal static class QueuesRegistration
{
    public static IHostApplicationBuilder AddCallQueues(this IHostApplicationBuilder builder)
    {
        builder.Services.AddTwilioClient();
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<QueuedCallDequeued>();
            opts.Projections.Snapshot<QueueDequeues>(SnapshotLifecycle.Inline);
            opts.Schema.For<Call>().Index(c => c.Queue!.WaitingIn);
        });
        builder.Services.AddConsumers(x =>
        {
            x.AddConsumer<DequeueCallConsumer>();
            x.AddConsumer<BridgeQueuedCallConsumer>();
        });
        return builder;
    }

    /// <summary><c>/api/queues</c>.</summary>
    public static RouteGroupBuilder MapCallQueues(this RouteGroupBuilder queues) => queues.MapQueueEndpoints();
}
