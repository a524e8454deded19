using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Verify = WebSocketHandoff.Analyzers.Tests.Rules.ReflectVerifier<WebSocketHandoff.Analyzers.NonAtomicFinalSendAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    /// <summary>
    /// WSH006 on paths that are not one straight statement list: the detach only in a branch or past an early return, the
    /// send in a loop, a switch section, a catch or a lock with the detach after it, a send inside a larger expression, and
    /// <c>using var t = ws.SendAsync(…)</c>. Each is a path on which the detach follows the final send with nothing between
    /// that touches the socket; beside each, the shape where something on every path touches it stays silent.
    /// </summary>
    public class NonAtomicFinalSendPathTests
    {
        private const string Usings = @"
using System;
using System.Collections.Generic;
using System.IO;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff;
";

        // ---- the detach on some paths only ----

        [Fact]
        public async Task Detach_only_in_a_branch_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream?> Branch(HandoffWebSocket ws, ArraySegment<byte> message, bool upgrade, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(message, WebSocketMessageType.Binary, true, ct)|};
        if (upgrade)
        {
            return await ws.DetachAsync(ct);
        }

        return null;
    }

    static async Task<Stream?> StateChecked(HandoffWebSocket ws, ArraySegment<byte> message, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(message, WebSocketMessageType.Text, true, ct)|};
        if (ws.State == WebSocketState.Open)
        {
            var raw = await ws.DetachAsync(ct);
            return raw;
        }

        return null;
    }

    static async Task<Stream?> Conditional(HandoffWebSocket ws, ArraySegment<byte> message, bool upgrade, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(message, WebSocketMessageType.Text, true, ct)|};
        return upgrade ? await ws.DetachAsync(ct) : null;
    }
}");
        }

        [Fact]
        public async Task Detach_after_an_early_return_or_throw_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream?> Return(HandoffWebSocket ws, ArraySegment<byte> message, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(message, WebSocketMessageType.Binary, true, ct)|};
        if (ct.IsCancellationRequested) return null;
        return await ws.DetachAsync(ct);
    }

    static Stream Throw(HandoffWebSocket ws, ArraySegment<byte> message, bool accepted)
    {
        {|WSH006:ws.SendAsync(message, WebSocketMessageType.Binary, true, CancellationToken.None)|}.GetAwaiter().GetResult();
        if (!accepted)
        {
            throw new InvalidOperationException(""rejected"");
        }

        return ws.Detach();
    }
}");
        }

        [Fact]
        public async Task Touch_on_one_path_only_leaves_the_other_path_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> M(HandoffWebSocket ws, ArraySegment<byte> message, bool ack, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(message, WebSocketMessageType.Binary, true, ct)|};
        if (ack)
        {
            await ws.ReceiveAsync(message, ct);
        }

        return await ws.DetachAsync(ct);
    }
}");
        }

        [Fact]
        public async Task A_receive_loop_between_the_send_and_the_detach_is_silent()
        {
            // The loop's body receives: this side waits for the peer's reply before it detaches, which SendAndDetachAsync
            // cannot express. The path where the loop runs no time is not read as a final send followed by the detach.
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> While(HandoffWebSocket ws, ArraySegment<byte> message, CancellationToken ct)
    {
        await ws.SendAsync(message, WebSocketMessageType.Text, true, ct);
        while (ws.State == WebSocketState.Open)
        {
            var result = await ws.ReceiveAsync(message, ct);
            if (result.EndOfMessage) break;
        }

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> For(HandoffWebSocket ws, ArraySegment<byte> message, int replies, CancellationToken ct)
    {
        await ws.SendAsync(message, WebSocketMessageType.Text, true, ct);
        for (int i = 0; i < replies; i++)
        {
            await ws.ReceiveAsync(message, ct);
        }

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> ForEach(HandoffWebSocket ws, ArraySegment<byte> message, List<int> expected, CancellationToken ct)
    {
        await ws.SendAsync(message, WebSocketMessageType.Text, true, ct);
        foreach (int _ in expected)
        {
            await ws.ReceiveAsync(message, ct);
        }

        return await ws.DetachAsync(ct);
    }
}");
        }

        [Fact]
        public async Task A_loop_that_does_not_touch_the_socket_leaves_the_pair_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> M(HandoffWebSocket ws, ArraySegment<byte> message, List<string> log, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(message, WebSocketMessageType.Text, true, ct)|};
        while (log.Count > 10)
        {
            log.RemoveAt(0);
        }

        return await ws.DetachAsync(ct);
    }
}");
        }

        [Fact]
        public async Task Every_path_touching_the_socket_or_leaving_is_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> BothBranchesTouch(HandoffWebSocket ws, ArraySegment<byte> message, bool ack, CancellationToken ct)
    {
        await ws.SendAsync(message, WebSocketMessageType.Binary, true, ct);
        if (ack)
        {
            await ws.ReceiveAsync(message, ct);
        }
        else
        {
            await ws.SendAsync(message, WebSocketMessageType.Binary, false, ct);
        }

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream?> EveryBranchLeaves(HandoffWebSocket ws, ArraySegment<byte> message, bool ack, CancellationToken ct)
    {
        if (ack)
        {
            await ws.SendAsync(message, WebSocketMessageType.Binary, true, ct);
            return null;
        }

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream?> DetachOnlyWhenTheSendFails(HandoffWebSocket ws, ArraySegment<byte> message, CancellationToken ct)
    {
        try
        {
            await ws.SendAsync(message, WebSocketMessageType.Binary, true, ct);
        }
        catch (WebSocketException)
        {
            return await ws.DetachAsync(ct);
        }

        return null;
    }

    static async Task<Stream> ConditionTouches(HandoffWebSocket ws, ArraySegment<byte> message, CancellationToken ct)
    {
        await ws.SendAsync(message, WebSocketMessageType.Binary, true, ct);
        if ((await ws.ReceiveAsync(message, ct)).Count > 0)
        {
            return await ws.DetachAsync(ct);
        }

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream?> LambdaInBranchCapturesTheSocket(HandoffWebSocket ws, ArraySegment<byte> message, bool x, CancellationToken ct)
    {
        await ws.SendAsync(message, WebSocketMessageType.Binary, true, ct);
        Func<Task> ack = () => ws.ReceiveAsync(message, ct);
        if (x) return await ws.DetachAsync(ct);
        return null;
    }
}");
        }

        // ---- the send in a loop, switch, catch or lock ----

        [Fact]
        public async Task Send_in_a_loop_with_the_detach_after_it_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> For(HandoffWebSocket ws, ArraySegment<byte> msg, int count, CancellationToken ct)
    {
        for (int i = 0; i < count; i++)
        {
            await {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
        }

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> ForEach(HandoffWebSocket ws, IEnumerable<ReadOnlyMemory<byte>> messages, CancellationToken ct)
    {
        foreach (var message in messages)
            await {|WSH006:ws.SendAsync(message, WebSocketMessageType.Binary, WebSocketMessageFlags.EndOfMessage, ct)|}.ConfigureAwait(false);
        return await ws.DetachAsync(ct).ConfigureAwait(false);
    }

    static async Task<Stream> Break(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        while (true)
        {
            var result = await ws.ReceiveAsync(msg, ct);
            await {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Text, true, ct)|};
            if (result.Count == 0)
            {
                break;
            }
        }

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> DetachSpelledFirstInTheLoop(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        bool done = false;
        while (true)
        {
            if (done)
            {
                return await ws.DetachAsync(ct);
            }

            await {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Text, true, ct)|};
            done = true;
        }
    }
}");
        }

        [Fact]
        public async Task Send_in_a_loop_that_touches_the_socket_on_every_way_out_is_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> Echo(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        WebSocketReceiveResult result;
        do
        {
            await ws.SendAsync(msg, WebSocketMessageType.Text, true, ct);
            result = await ws.ReceiveAsync(msg, ct);
        }
        while (result.Count > 0);

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> Partial(HandoffWebSocket ws, ArraySegment<byte> msg, int count, CancellationToken ct)
    {
        for (int i = 0; i < count; i++)
        {
            await ws.SendAsync(msg, WebSocketMessageType.Binary, false, ct);
        }

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> Flags(HandoffWebSocket ws, ReadOnlyMemory<byte> msg, int count, CancellationToken ct)
    {
        for (int i = 0; i < count; i++)
        {
            await ws.SendAsync(msg, WebSocketMessageType.Binary, WebSocketMessageFlags.DisableCompression, ct);
        }

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> CloseAfterTheLoop(HandoffWebSocket ws, ArraySegment<byte> msg, int count, CancellationToken ct)
    {
        for (int i = 0; i < count; i++)
        {
            await ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        }

        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        return await ws.DetachAsync(ct);
    }
}");
        }

        [Fact]
        public async Task Send_in_a_switch_section_catch_or_lock_with_the_detach_after_it_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    private readonly object _gate = new object();

    static async Task<Stream> Switch(HandoffWebSocket ws, ArraySegment<byte> msg, int kind, CancellationToken ct)
    {
        switch (kind)
        {
            case 1:
                await {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
                break;
        }

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> Catch(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        try
        {
            await Task.Delay(1, ct);
        }
        catch (OperationCanceledException)
        {
            await {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Text, true, CancellationToken.None)|};
        }

        return await ws.DetachAsync(CancellationToken.None);
    }

    Stream Lock(HandoffWebSocket ws, ArraySegment<byte> msg)
    {
        lock (_gate)
        {
            {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, CancellationToken.None)|}.Wait();
        }

        return ws.Detach();
    }
}");
        }

        [Fact]
        public async Task Send_in_a_switch_section_catch_or_lock_with_the_socket_touched_or_a_jump_after_it_is_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    private readonly object _gate = new object();

    static async Task<Stream> Switch(HandoffWebSocket ws, ArraySegment<byte> msg, int kind, CancellationToken ct)
    {
        switch (kind)
        {
            case 1:
                await ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
                break;
        }

        await ws.ReceiveAsync(msg, ct);
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> CatchRethrows(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        try
        {
            await Task.Delay(1, ct);
        }
        catch (OperationCanceledException)
        {
            await ws.SendAsync(msg, WebSocketMessageType.Text, true, CancellationToken.None);
            throw;
        }

        return await ws.DetachAsync(CancellationToken.None);
    }

    Stream LockThenReceive(HandoffWebSocket ws, ArraySegment<byte> msg)
    {
        lock (_gate)
        {
            ws.SendAsync(msg, WebSocketMessageType.Binary, true, CancellationToken.None).Wait();
        }

        ws.ReceiveAsync(msg, CancellationToken.None).Wait();
        return ws.Detach();
    }

    static async Task<Stream> UsingTaskThenReceive(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        using var t = ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        await t;
        await ws.ReceiveAsync(msg, ct);
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> SendInALambdaCalledThenReceive(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        Func<Task> send = () => ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        await send();
        await ws.ReceiveAsync(msg, ct);
        return await ws.DetachAsync(ct);
    }
}");
        }

        [Fact]
        public async Task Pairs_in_one_block_of_a_loop_catch_lock_or_lambda_are_reported_with_fix_data()
        {
            var diagnostics = await AnalyzerRunner.RunAsync(new NonAtomicFinalSendAnalyzer(), Usings + @"
class C
{
    private readonly object _gate = new object();

    static async Task<Stream?> Loop(HandoffWebSocket ws, ArraySegment<byte> msg, int n, CancellationToken ct)
    {
        for (int i = 0; i < n; i++)
        {
            if (i == n - 1)
            {
                await ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
                return await ws.DetachAsync(ct);
            }
        }

        return null;
    }

    static async Task<Stream?> Catch(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        try
        {
            await Task.Delay(1, ct);
            return null;
        }
        catch (OperationCanceledException)
        {
            await ws.SendAsync(msg, WebSocketMessageType.Text, true, CancellationToken.None);
            return await ws.DetachAsync(CancellationToken.None);
        }
    }

    Stream Lock(HandoffWebSocket ws, ArraySegment<byte> msg)
    {
        lock (_gate)
        {
            ws.SendAsync(msg, WebSocketMessageType.Binary, true, CancellationToken.None).Wait();
            return ws.Detach();
        }
    }

    static Func<Task<Stream>> Lambda(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct) => async () =>
    {
        await ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct).ConfigureAwait(false);
        return await ws.DetachAsync(ct).ConfigureAwait(false);
    };
}");
            Assert.Equal(4, diagnostics.Length);
            Assert.All(diagnostics, d =>
            {
                Assert.Equal("WSH006", d.Id);
                Assert.False(d.Properties.ContainsKey(Descriptors.PropertyFixable));
                Assert.Single(d.AdditionalLocations);
            });
            Assert.Equal(new[] { "DetachAsync", "DetachAsync", "Detach", "DetachAsync" }, diagnostics.Select(d => d.Properties[Descriptors.PropertyDetachKind]));
        }

        // ---- the send inside a larger expression, and using var ----

        [Fact]
        public async Task Send_inside_a_larger_expression_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> WhenAll(HandoffWebSocket ws, ArraySegment<byte> msg, Task flush, CancellationToken ct)
    {
        await Task.WhenAll({|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|}, flush);
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> Reassigned(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        Task t = Task.CompletedTask;
        t = {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
        await t;
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> Timeout(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|}.WaitAsync(TimeSpan.FromSeconds(5), ct);
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> ChainedLogging(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        var t = {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|}.ContinueWith(_ => Console.WriteLine(""sent""));
        await t;
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> UsingTask(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        using var t = {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
        await t;
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> UsingTaskStatement(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        using (var t = {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|})
        {
            await t;
            return await ws.DetachAsync(ct);
        }
    }
}");
        }

        [Fact]
        public async Task Larger_expression_shapes_are_reported_without_fix_data()
        {
            var diagnostics = await AnalyzerRunner.RunAsync(new NonAtomicFinalSendAnalyzer(), Usings + @"
class C
{
    static async Task<Stream> WhenAll(HandoffWebSocket ws, ArraySegment<byte> msg, Task flush, CancellationToken ct)
    {
        await Task.WhenAll(ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct), flush);
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> UsingTask(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        using var t = ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        await t;
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream?> Branch(HandoffWebSocket ws, ArraySegment<byte> msg, bool upgrade, CancellationToken ct)
    {
        await ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        if (upgrade) return await ws.DetachAsync(ct);
        return null;
    }
}");
            Assert.Equal(3, diagnostics.Length);
            Assert.All(diagnostics, d =>
            {
                Assert.Equal("false", d.Properties[Descriptors.PropertyFixable]);
                Assert.Equal("DetachAsync", d.Properties[Descriptors.PropertyDetachKind]);
                Location detach = Assert.Single(d.AdditionalLocations);
                Assert.Equal("ws.DetachAsync(ct)", detach.SourceTree!.GetText().ToString(detach.SourceSpan));
            });
        }

        [Fact]
        public async Task Larger_expressions_that_also_touch_the_socket_are_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> WhenAllReceive(HandoffWebSocket ws, ArraySegment<byte> msg, ArraySegment<byte> buffer, CancellationToken ct)
    {
        await Task.WhenAll(ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct), ws.ReceiveAsync(buffer, ct));
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> PassedOn(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        await Track(ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct), ws);
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> ContinuationTouches(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        await ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct).ContinueWith(_ => ws.ReceiveAsync(msg, ct));
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> PlainWebSocket(WebSocket plain, HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        await Task.WhenAll(plain.SendAsync(msg, WebSocketMessageType.Binary, true, ct));
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> HandoffHeldAsWebSocket(HandoffWebSocket ws, ArraySegment<byte> msg, bool go, CancellationToken ct)
    {
        WebSocket plain = ws;
        await plain.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        if (go) return await ws.DetachAsync(ct);
        return await ws.DetachAsync(ct);
    }

    static Task Track(Task t, WebSocket ws) => t;
}");
        }
    }
}
