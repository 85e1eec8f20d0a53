using MassTransit;
using VoiceMesh.Conferences.Control;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Rooms;

/// <summary>Decides the dial on the room's stream; the outbox then performs it (<see cref="DialParticipantConsumer"/>).</summary>
public sealed class AddParticipantConsumer(RoomCommands rooms, TimeProvider clock) : IConsumer<AddParticipant>
{
    public async Task Consume(ConsumeContext<AddParticipant> context)
    {
        var command = context.Message;
        if (await rooms.Add(command, context.CancellationToken) is { } rejection)
        {
            await context.Publish(rejection, nameof(AddParticipant), command.RequestId ?? "", command.FriendlyName ?? "", clock);
        }
    }
}
