using MassTransit;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// The endpoint of a high-volume consumer whose commands are stored with group commit (<c>StreamCommands.ExecuteGrouped</c>):
/// <see cref="InFlight"/> messages consumed at once instead of MassTransit's default of max(2 x cores, 16), since a
/// group can only hold the messages that wait together; each waits for its group's commit before it is acknowledged,
/// so nothing is acknowledged before it is stored. During an outage every one of them is held by the retry policy.
/// </summary>
public class GroupedConsumerDefinition<TConsumer>() : InFlightConsumerDefinition<TConsumer>(InFlight)
    where TConsumer : class, IConsumer
{
    /// <summary>Messages consumed at once (and prefetched) on the endpoint.</summary>
    public const int InFlight = 256;
}
