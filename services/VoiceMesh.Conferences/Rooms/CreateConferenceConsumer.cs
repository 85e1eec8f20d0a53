using MassTransit;
using VoiceMesh.Conferences.Control;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Rooms;

public sealed class CreateConferenceConsumer(RoomCommands rooms, TimeProvider clock) : IConsumer<CreateConference>
{
    public async Task Consume(ConsumeContext<CreateConference> context)
    {
        var command = context.Message;
        if (await rooms.Create(command, context.CancellationToken) is { } rejection)
        {
            await context.Publish(rejection, nameof(CreateConference), command.RequestId ?? "", command.FriendlyName ?? "", clock);
        }
    }
}
