using System.Text;
using MassTransit;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Lifecycle;

/// <summary>
/// One conference's callbacks arrive in bursts (a room ending sends a leave per participant and an end at once), all
/// for the same stream: applied concurrently they would conflict until the quick retries ran out. Partitioned by
/// ConferenceSid, an instance applies one room's callbacks one at a time and different rooms in parallel.
/// </summary>
public sealed class ConferenceCallbackReceivedConsumerDefinition : ConsumerDefinition<ConferenceCallbackReceivedConsumer>
{
    /// <summary>Rooms applied in parallel per instance.</summary>
    public const int Partitions = 16;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ConferenceCallbackReceivedConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        consumerConfigurator.Message<ConferenceCallbackReceived>(m => m.UsePartitioner(Partitions, c => c.Message.ConferenceSid, Encoding.UTF8));
}
