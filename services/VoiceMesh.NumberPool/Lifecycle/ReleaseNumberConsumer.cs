using MassTransit;
using VoiceMesh.Contracts.Numbers;
using VoiceMesh.NumberPool.Routing;

namespace VoiceMesh.NumberPool.Lifecycle;

/// <summary>Quarantines a number on request; a repeat, or a number not owned, changes nothing (logged).</summary>
public sealed partial class ReleaseNumberConsumer(NumberReleases releases, ILogger<ReleaseNumberConsumer> logger) : IConsumer<ReleaseNumber>
{
    public async Task Consume(ConsumeContext<ReleaseNumber> context)
    {
        var command = context.Message;
        if (NumberGeography.Locate(command.PhoneNumber) is null || NumberReleases.InvalidText(command.Reason) || NumberReleases.InvalidText(command.RequestedBy))
        {
            LogRejected();
            return;
        }

        var outcome = await releases.Release(command.PhoneNumber, command.Reason, command.RequestedBy, context.CancellationToken);
        LogReleased(outcome);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a ReleaseNumber: the phone number, reason or requester is invalid")]
    private partial void LogRejected();

    [LoggerMessage(Level = LogLevel.Information, Message = "ReleaseNumber: {Outcome}")]
    private partial void LogReleased(ReleaseOutcome outcome);
}
