using System.Collections.Concurrent;
using System.Reflection;
using MassTransit;

namespace VoiceMesh.ServiceDefaults.Tests;

/// <summary>An outbox page goes to the broker stream by stream at once, each stream in order, and counts as sent only when every message was confirmed.</summary>
public sealed class OutboxPagePublishingSpecs
{
    [Fact]
    public async Task A_page_publishes_the_first_message_of_every_stream_before_any_confirm_and_ends_with_the_last_confirm()
    {
        var bus = DispatchProxy.Create<IPublishEndpoint, UnconfirmedBus>();
        var broker = (UnconfirmedBus)(object)bus;
        var messages = Enumerable.Range(1, 3).Select(i => new OutboxMessage($"message {i}", Guid.NewGuid(), $"stream {i}")).ToList();

        var publishing = bus.PublishPage(messages, TestContext.Current.CancellationToken);

        Assert.Equal(["message 1", "message 2", "message 3"], broker.Pending.Keys.Cast<string>().Order());
        broker.Confirm("message 1");
        broker.Confirm("message 3");
        Assert.False(publishing.IsCompleted);
        broker.Confirm("message 2");
        await publishing;
    }

    [Fact]
    public async Task A_streams_messages_are_published_in_their_stored_order_each_after_the_one_before_was_confirmed()
    {
        var bus = DispatchProxy.Create<IPublishEndpoint, UnconfirmedBus>();
        var broker = (UnconfirmedBus)(object)bus;
        OutboxMessage[] messages =
            [new("digit 1", Guid.NewGuid(), "MZ1"), new("other stream", Guid.NewGuid(), "MZ2"), new("digit 2", Guid.NewGuid(), "MZ1")];

        var publishing = bus.PublishPage(messages, TestContext.Current.CancellationToken);

        Assert.Equal(["digit 1", "other stream"], broker.Pending.Keys.Cast<string>().Order());
        broker.Confirm("other stream");
        Assert.DoesNotContain("digit 2", broker.Pending.Keys.Cast<string>());
        broker.Confirm("digit 1");
        await WaitFor(() => broker.Pending.ContainsKey("digit 2"));
        Assert.False(publishing.IsCompleted);
        broker.Confirm("digit 2");
        await publishing;
    }

    [Fact]
    public async Task A_refused_message_fails_the_page_so_the_daemon_retries_it()
    {
        var bus = DispatchProxy.Create<IPublishEndpoint, UnconfirmedBus>();
        var broker = (UnconfirmedBus)(object)bus;

        var publishing = bus.PublishPage(
            [new OutboxMessage("kept", Guid.NewGuid(), "stream 1"), new OutboxMessage("refused", Guid.NewGuid(), "stream 2")], TestContext.Current.CancellationToken);
        broker.Confirm("kept");
        broker.Pending["refused"].SetException(new InvalidOperationException("nack"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => publishing);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.True(condition());
    }

    /// <summary>A bus whose every publish waits for the test to confirm it.</summary>
    public class UnconfirmedBus : DispatchProxy
    {
        public ConcurrentDictionary<object, TaskCompletionSource> Pending { get; } = new();

        public void Confirm(object message) => Pending[message].SetResult();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == nameof(IPublishEndpoint.Publish)
                ? Pending.GetOrAdd(args![0]!, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task
                : throw new NotSupportedException(targetMethod?.Name);
    }
}
