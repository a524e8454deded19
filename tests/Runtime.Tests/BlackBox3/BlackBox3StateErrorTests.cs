using System;
using System.Collections.Generic;
using System.IO;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.BlackBox;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.BlackBox3;

/// <summary>
/// How errors come back (G5 with the BCL's shape): a call in a wrong state returns a failed task, as the BCL WebSocket
/// does; an argument error is thrown by the call itself, before the state is looked at, as there.
/// </summary>
public sealed class BlackBox3StateErrorTests
{
    internal const string DetachedMessage =
        "The WebSocket was detached: its transport now belongs to the stream that the detach returned. Use that stream for I/O.";

    internal const string FailedMessage =
        "A detach of this WebSocket failed and its connection was closed: no stream was handed off, and no further WebSocket operation is possible.";

    internal const string DetachingMessage =
        "A detach is in progress on this WebSocket: no further WebSocket operation can start. Use the stream that the detach returns.";

    /// <summary>The seven calls that have a state to be wrong in, each started with valid arguments.</summary>
    private static IEnumerable<(string Name, Func<WebSocket, CancellationToken, Task> Call)> StateCalls()
    {
        yield return ("SendAsync(ArraySegment)", (ws, ct) => ws.SendAsync(new ArraySegment<byte>(new byte[1]), WebSocketMessageType.Binary, true, ct));
        yield return ("SendAsync(ReadOnlyMemory, bool)", (ws, ct) => ws.SendAsync(new byte[1].AsMemory(), WebSocketMessageType.Binary, true, ct).AsTask());
        yield return ("SendAsync(ReadOnlyMemory, flags)", (ws, ct) => ws.SendAsync(new byte[1].AsMemory(), WebSocketMessageType.Text, WebSocketMessageFlags.EndOfMessage, ct).AsTask());
        yield return ("ReceiveAsync(ArraySegment)", (ws, ct) => ws.ReceiveAsync(new ArraySegment<byte>(new byte[1]), ct));
        yield return ("ReceiveAsync(Memory)", (ws, ct) => ws.ReceiveAsync(new byte[1].AsMemory(), ct).AsTask());
        yield return ("CloseAsync", (ws, ct) => ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", ct));
        yield return ("CloseOutputAsync", (ws, ct) => ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct));
    }

    /// <summary>Calls <paramref name="call"/>, which must not throw, and returns its task, which must already have failed.</summary>
    private static TException AssertFailedTask<TException>(string name, Func<Task> call)
        where TException : Exception
    {
        Task task;
        try
        {
            task = call();
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"{name} threw {ex.GetType().Name} synchronously instead of returning a failed task: {ex.Message}");
        }

        Assert.True(task.IsFaulted, $"{name}: the task is {task.Status}, not Faulted");
        return Assert.IsType<TException>(task.Exception!.InnerException);
    }

    private static async Task<(Loopback Lb, HandoffWebSocket Ws, Stream Detached)> DetachedAsync()
    {
        Loopback lb = await Loopback.CreateAsync();
        HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true, TimeSpan.FromMilliseconds(5));
        Stream detached = await ws.DetachAsync().Within();
        return (lb, ws, detached);
    }

    [Fact]
    public async Task Bcl_WebSocket_returns_failed_tasks_for_state_errors_after_Dispose_Abort_and_close_and_throws_argument_errors()
    {
        foreach (string how in new[] { "Dispose", "Abort", "CloseOutputAsync" })
        {
            using Loopback lb = await Loopback.CreateAsync();
            using WebSocket bcl = Peers.Bcl(lb.LocalStream, isServer: true);
            WebSocketState expectedState;
            if (how == "Dispose")
            {
                bcl.Dispose();
                expectedState = WebSocketState.Closed;
            }
            else if (how == "Abort")
            {
                bcl.Abort();
                expectedState = WebSocketState.Aborted;
            }
            else
            {
                await bcl.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, Bounded.Token()).Within();
                expectedState = WebSocketState.CloseSent;
            }

            Assert.Equal(expectedState, bcl.State);

            // After a close of its output, the BCL may still receive and close: only the sends are in a wrong state.
            foreach ((string name, Func<WebSocket, CancellationToken, Task> call) in StateCalls())
            {
                if (how == "CloseOutputAsync" && !name.StartsWith("Send", StringComparison.Ordinal))
                {
                    continue;
                }

                var error = AssertFailedTask<WebSocketException>($"{how}: {name}", () => call(bcl, default));
                Assert.Equal(WebSocketError.InvalidState, error.WebSocketErrorCode);
                Assert.Contains($"'{expectedState}'", error.Message);

                // A cancelled token does not turn the state error into a cancellation: the state is looked at first.
                var cancelled = AssertFailedTask<WebSocketException>($"{how}: {name}, cancelled token", () => call(bcl, new CancellationToken(true)));
                Assert.Equal(WebSocketError.InvalidState, cancelled.WebSocketErrorCode);
            }

            // Argument errors come first and are thrown by the call itself.
            Assert.Equal("buffer.Array", Assert.Throws<ArgumentNullException>(() => { _ = bcl.SendAsync(default(ArraySegment<byte>), WebSocketMessageType.Binary, true, default); }).ParamName);
            Assert.Equal("buffer.Array", Assert.Throws<ArgumentNullException>(() => { _ = bcl.ReceiveAsync(default(ArraySegment<byte>), default); }).ParamName);
            Assert.Equal("messageType", Assert.Throws<ArgumentException>(() => { _ = bcl.SendAsync(new byte[1].AsMemory(), WebSocketMessageType.Close, true, default); }).ParamName);
            Assert.Equal("closeStatus", Assert.Throws<ArgumentException>(() => { _ = bcl.CloseAsync((WebSocketCloseStatus)1006, null, default); }).ParamName);
        }
    }

    [Fact]
    public async Task After_a_detach_every_WebSocket_call_returns_a_task_failed_with_InvalidOperationException_instead_of_throwing()
    {
        (Loopback lb, HandoffWebSocket ws, Stream detached) = await DetachedAsync();
        using (lb)
        using (ws)
        await using (detached)
        {
            foreach ((string name, Func<WebSocket, CancellationToken, Task> call) in StateCalls())
            {
                Assert.Equal(DetachedMessage, AssertFailedTask<InvalidOperationException>(name, () => call(ws, default)).Message);
                Assert.Equal(DetachedMessage, AssertFailedTask<InvalidOperationException>(name + ", cancelled token", () => call(ws, new CancellationToken(true))).Message);
            }

            // A second detach, in either async form, is a failed task too (the synchronous form throws, being synchronous).
            AssertFailedTask<InvalidOperationException>("DetachAsync", () => ws.DetachAsync().AsTask());
            AssertFailedTask<InvalidOperationException>("SendAndDetachAsync", () => ws.SendAndDetachAsync("x"u8.ToArray(), WebSocketMessageType.Text).AsTask());
            Assert.Equal(DetachedMessage, Assert.Throws<InvalidOperationException>(() => ws.Detach()).Message);

            // None of it wrote a byte: the transport carries only what the test writes next.
            byte[] marker = "after"u8.ToArray();
            await detached.WriteAsync(marker);
            Assert.Equal(marker, await Bounded.ReadExactlyAsync(lb.RemoteStream, marker.Length));
            await lb.RemoteStream.WriteAsync(marker);
            Assert.Equal(marker, await Bounded.ReadExactlyAsync(detached, marker.Length));
        }
    }

    [Fact]
    public async Task After_a_detach_argument_errors_are_thrown_synchronously_before_the_state_error_as_on_the_BCL_WebSocket()
    {
        (Loopback lb, HandoffWebSocket ws, Stream detached) = await DetachedAsync();
        using (lb)
        using (ws)
        await using (detached)
        {
            Assert.Equal("buffer.Array", Assert.Throws<ArgumentNullException>(() => { _ = ws.SendAsync(default(ArraySegment<byte>), WebSocketMessageType.Binary, true, default); }).ParamName);
            Assert.Equal("buffer.Array", Assert.Throws<ArgumentNullException>(() => { _ = ws.ReceiveAsync(default(ArraySegment<byte>), default); }).ParamName);
            Assert.Equal("messageType", Assert.Throws<ArgumentException>(() => { _ = ws.SendAsync(new ArraySegment<byte>(new byte[1]), WebSocketMessageType.Close, true, default); }).ParamName);
            Assert.Equal("messageType", Assert.Throws<ArgumentException>(() => { _ = ws.SendAsync(new byte[1].AsMemory(), WebSocketMessageType.Close, true, default); }).ParamName);
            Assert.Equal("messageType", Assert.Throws<ArgumentException>(() => { _ = ws.SendAsync(new byte[1].AsMemory(), WebSocketMessageType.Close, WebSocketMessageFlags.EndOfMessage, default); }).ParamName);
            Assert.Equal("messageType", Assert.Throws<ArgumentException>(() => { _ = ws.SendAndDetachAsync("x"u8.ToArray(), WebSocketMessageType.Close); }).ParamName);

            // The refused send was not counted as in flight: the socket's state errors are unchanged.
            Assert.Equal(DetachedMessage, AssertFailedTask<InvalidOperationException>("SendAsync", () => ws.SendAsync(new byte[1].AsMemory(), WebSocketMessageType.Binary, true, default).AsTask()).Message);
        }
    }

    public static TheoryData<int, string?> CloseArguments() => new()
    {
        { -1, null },
        { 0, null },
        { 1, null },
        { 999, null },
        { 1000, null },
        { 1000, "" },
        { 1000, new string('a', 123) },
        { 1000, new string('a', 124) },
        { 1000, new string('é', 61) },
        { 1000, new string('é', 62) },
        { 1001, "going" },
        { 1005, null },
        { 1005, "" },
        { 1005, "x" },
        { 1006, null },
        { 1015, null },
        { 1016, null },
        { 2999, null },
        { 4999, null },
        { 5000, null },
        { 65535, null },
        { 70000, null },
    };

    [Theory]
    [MemberData(nameof(CloseArguments))]
    public async Task After_a_detach_close_arguments_are_judged_as_by_the_BCL_WebSocket_then_the_state_error_is_a_failed_task(int status, string? description)
    {
        // The BCL's verdict on these arguments, from a BCL WebSocket that is closed (so no argument it accepts reaches a wire).
        using Loopback bclLb = await Loopback.CreateAsync();
        WebSocket bcl = Peers.Bcl(bclLb.LocalStream, isServer: true);
        bcl.Abort();
        (Loopback lb, HandoffWebSocket ws, Stream detached) = await DetachedAsync();
        using (lb)
        using (ws)
        await using (detached)
        {
            foreach (bool output in new[] { false, true })
            {
                Func<WebSocket, Task> close = output
                    ? s => s.CloseOutputAsync((WebSocketCloseStatus)status, description, default)
                    : s => s.CloseAsync((WebSocketCloseStatus)status, description, default);
                ArgumentException? bclError = null;
                try
                {
                    Task t = close(bcl);
                    Assert.True(t.IsFaulted);
                    Assert.IsType<WebSocketException>(t.Exception!.InnerException);
                }
                catch (ArgumentException ex)
                {
                    bclError = ex;
                }

                if (bclError is null)
                {
                    Assert.Equal(DetachedMessage, AssertFailedTask<InvalidOperationException>($"close {status}", () => close(ws)).Message);
                }
                else
                {
                    var error = Assert.Throws(bclError.GetType(), () => { _ = close(ws); });
                    Assert.Equal(bclError.ParamName, ((ArgumentException)error).ParamName);
                }
            }
        }
    }

    [Fact]
    public async Task While_a_detach_waits_for_a_send_other_sends_and_closes_return_tasks_failed_saying_a_detach_is_in_progress()
    {
        using Loopback lb = await Loopback.CreateAsync();
        var holding = new HoldingWriteStream(lb.LocalStream);
        using HandoffWebSocket ws = Peers.Handoff(holding, isServer: true);
        holding.HoldNextWrite();
        Task first = ws.SendAsync("first"u8.ToArray(), WebSocketMessageType.Text, true, Bounded.Token());
        await holding.WriteHeld.Within();
        Task<Stream> detach = ws.DetachAsync(Bounded.Token()).AsTask();
        Assert.False(detach.IsCompleted);

        foreach ((string name, Func<WebSocket, CancellationToken, Task> call) in StateCalls())
        {
            if (name.StartsWith("Receive", StringComparison.Ordinal))
            {
                continue; // receives go on until the handoff point is fixed
            }

            Assert.Equal(DetachingMessage, AssertFailedTask<InvalidOperationException>(name, () => call(ws, default)).Message);
        }

        AssertFailedTask<InvalidOperationException>("DetachAsync", () => ws.DetachAsync().AsTask());

        holding.Release();
        await first.Within();
        await using Stream raw = await detach.Within();

        // Only the held send reached the wire, whole; the refused calls wrote nothing.
        Frames.Frame frame = await Frames.ReadAsync(lb.RemoteStream);
        Assert.Equal(("first", Frames.Text, true), (System.Text.Encoding.ASCII.GetString(frame.Payload), frame.Opcode, frame.Fin));
        byte[] marker = "raw"u8.ToArray();
        await raw.WriteAsync(marker);
        Assert.Equal(marker, await Bounded.ReadExactlyAsync(lb.RemoteStream, marker.Length));
    }

    [Fact]
    public async Task After_a_failed_detach_every_WebSocket_call_returns_a_task_failed_saying_the_detach_failed()
    {
        using Loopback lb = await Loopback.CreateAsync();
        var holding = new HoldingWriteStream(lb.LocalStream);
        using HandoffWebSocket ws = Peers.Handoff(holding, isServer: true);
        holding.HoldNextWrite();
        Task send = ws.SendAsync("first"u8.ToArray(), WebSocketMessageType.Text, true, Bounded.Token());
        await holding.WriteHeld.Within();
        Task<Stream> detach = ws.DetachAsync(Bounded.Token()).AsTask();
        ws.Abort();
        holding.Release();
        await Assert.ThrowsAnyAsync<Exception>(() => send.Within());
        var failed = await Assert.ThrowsAsync<WebSocketException>(() => detach.Within());
        Assert.Equal("The WebSocket was aborted or disposed during the detach: its connection was closed and nothing was handed off.", failed.Message);

        foreach ((string name, Func<WebSocket, CancellationToken, Task> call) in StateCalls())
        {
            Assert.Equal(FailedMessage, AssertFailedTask<InvalidOperationException>(name, () => call(ws, default)).Message);
        }

        AssertFailedTask<InvalidOperationException>("DetachAsync", () => ws.DetachAsync().AsTask());
        Assert.Equal("messageType", Assert.Throws<ArgumentException>(() => { _ = ws.SendAsync(new byte[1].AsMemory(), WebSocketMessageType.Close, true, default); }).ParamName);
    }

    [Fact]
    public async Task Disposed_before_any_detach_the_HandoffWebSocket_fails_each_call_with_the_BCL_WebSockets_exception_and_message()
    {
        using Loopback bclLb = await Loopback.CreateAsync();
        using Loopback lb = await Loopback.CreateAsync();
        WebSocket bcl = Peers.Bcl(bclLb.LocalStream, isServer: true);
        HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        bcl.Dispose();
        ws.Dispose();
        Assert.Equal(bcl.State, ws.State);
        foreach ((string name, Func<WebSocket, CancellationToken, Task> call) in StateCalls())
        {
            var expected = AssertFailedTask<WebSocketException>("BCL " + name, () => call(bcl, default));
            var actual = AssertFailedTask<WebSocketException>(name, () => call(ws, default));
            Assert.Equal((expected.WebSocketErrorCode, expected.Message), (actual.WebSocketErrorCode, actual.Message));
        }
    }

    [Fact]
    public async Task Refused_detaches_come_back_as_failed_tasks_and_change_nothing()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: false);

        // Inside a received message.
        await lb.RemoteStream.WriteAsync(Frames.Build(Frames.Binary, "ab"u8, fin: false));
        ValueWebSocketReceiveResult part = await ws.ReceiveAsync(new byte[8].AsMemory(), Bounded.Token()).Within();
        Assert.False(part.EndOfMessage);
        var inside = AssertFailedTask<InvalidOperationException>("DetachAsync inside a message", () => ws.DetachAsync().AsTask());
        Assert.Equal(
            "The application is inside a received message (EndOfMessage not seen yet): detaching now would strand the rest of it. Receive until EndOfMessage, then detach.",
            inside.Message);
        AssertFailedTask<InvalidOperationException>("SendAndDetachAsync inside a message", () => ws.SendAndDetachAsync("x"u8.ToArray(), WebSocketMessageType.Text).AsTask());

        // A pre-cancelled token: a cancelled task, not a thrown exception.
        Task<Stream> cancelled = ws.DetachAsync(new CancellationToken(true)).AsTask();
        Assert.True(cancelled.IsCanceled);

        byte[] raw = Frames.RandomBytes(300);
        await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Continuation, "cd"u8), raw));
        ValueWebSocketReceiveResult end = await ws.ReceiveAsync(new byte[8].AsMemory(), Bounded.Token()).Within();
        Assert.True(end.EndOfMessage);
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
    }
}
