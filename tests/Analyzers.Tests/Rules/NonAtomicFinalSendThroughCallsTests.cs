using System.Threading.Tasks;
using Verify = WebSocketHandoff.Analyzers.Tests.Rules.ReflectVerifier<WebSocketHandoff.Analyzers.NonAtomicFinalSendAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    /// <summary>
    /// WSH006 where the final send is not in the detach's statement list: in a <c>finally</c> with the detach after the
    /// <c>try</c> (the path on which the try completes normally), and inside a local function or a lambda stored in a local
    /// whose call is followed by the detach. Beside each, the shape where nothing reaches the detach cleanly stays silent.
    /// </summary>
    public class NonAtomicFinalSendThroughCallsTests
    {
        private const string Usings = @"
using System;
using System.IO;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff;
";

        // ---- the send in a finally ----

        [Fact]
        public Task A_send_in_a_finally_followed_by_the_detach_after_the_try_is_reported() => Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> Finally(HandoffWebSocket ws, ArraySegment<byte> bye, Func<Task> work, CancellationToken ct)
    {
        try
        {
            await work();
        }
        finally
        {
            Console.WriteLine(""done"");
            await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
        }

        Console.WriteLine(""switching"");
        return await ws.DetachAsync(ct);
    }

    static Stream AfterCatch(HandoffWebSocket ws, ArraySegment<byte> bye, Action work)
    {
        try
        {
            work();
        }
        catch (InvalidOperationException)
        {
            Console.WriteLine(""failed"");
        }
        finally
        {
            {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Text, true, CancellationToken.None)|}.GetAwaiter().GetResult();
        }

        return ws.Detach();
    }
}");

        [Fact]
        public Task A_send_in_a_finally_whose_try_never_completes_or_that_is_followed_by_a_receive_is_not_reported() => Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream?> Returns(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
    {
        try
        {
            return null;
        }
        finally
        {
            await ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct);
        }

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> Receives(HandoffWebSocket ws, ArraySegment<byte> bye, ArraySegment<byte> buffer, CancellationToken ct)
    {
        try
        {
            Console.WriteLine(""work"");
        }
        finally
        {
            await ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct);
        }

        await ws.ReceiveAsync(buffer, ct);
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> TouchedInFinally(HandoffWebSocket ws, ArraySegment<byte> bye, ArraySegment<byte> buffer, CancellationToken ct)
    {
        try
        {
            Console.WriteLine(""work"");
        }
        finally
        {
            await ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct);
            await ws.ReceiveAsync(buffer, ct);
        }

        return await ws.DetachAsync(ct);
    }
}");

        // ---- the send in a local function or a lambda ----

        [Fact]
        public Task A_send_in_a_local_function_called_just_before_the_detach_is_reported() => Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> ExpressionBodied(HandoffWebSocket ws, CancellationToken ct)
    {
        Task SendText(string text) => {|WSH006:ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct)|};

        await SendText(""hello"");
        await SendText(""upgrade"");
        Console.WriteLine(""switching"");
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> DeclaredAfterItsCalls(HandoffWebSocket ws, CancellationToken ct)
    {
        await SendLastAsync(""upgrade"");
        var raw = await ws.DetachAsync(ct);
        return raw;

        async Task SendLastAsync(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            await {|WSH006:ws.SendAsync(new ArraySegment<byte>(bytes), WebSocketMessageType.Text, true, ct)|}.ConfigureAwait(false);
            Console.WriteLine(""sent"");
        }
    }

    static async Task<Stream> SocketAsParameter(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
    {
        static Task Final(HandoffWebSocket socket, ArraySegment<byte> message, CancellationToken token) =>
            {|WSH006:socket.SendAsync(message, WebSocketMessageType.Binary, true, token)|};

        await Final(ws, bye, ct);
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream?> OnSomePath(HandoffWebSocket ws, ArraySegment<byte> bye, bool upgrade, CancellationToken ct)
    {
        async Task Bye() => await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};

        await Bye();
        if (upgrade)
            return await ws.DetachAsync(ct);
        return null;
    }
}");

        [Fact]
        public Task A_send_in_a_lambda_called_through_its_local_just_before_the_detach_is_reported() => Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> Lambda(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
    {
        Func<Task> sendBye = () => {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
        await sendBye();
        return await ws.DetachAsync(ct);
    }

    static Stream WithArgument(HandoffWebSocket ws, CancellationToken ct)
    {
        Action<string> send = text =>
        {
            {|WSH006:ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct)|}.Wait();
        };

        send(""upgrade"");
        return ws.Detach();
    }
}");

        [Fact]
        public Task A_function_whose_send_is_not_its_last_touch_or_whose_call_is_not_followed_by_the_detach_is_not_reported() => Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> ReceivesAfter(HandoffWebSocket ws, ArraySegment<byte> bye, ArraySegment<byte> buffer, CancellationToken ct)
    {
        async Task Exchange()
        {
            await ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct);
            await ws.ReceiveAsync(buffer, ct);
        }

        await Exchange();
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> ReceiveBetween(HandoffWebSocket ws, ArraySegment<byte> bye, ArraySegment<byte> buffer, CancellationToken ct)
    {
        Task Send() => ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct);

        await Send();
        await ws.ReceiveAsync(buffer, ct);
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> AnotherSocket(HandoffWebSocket ws, HandoffWebSocket other, ArraySegment<byte> bye, CancellationToken ct)
    {
        static Task Final(HandoffWebSocket socket, ArraySegment<byte> message, CancellationToken token) =>
            socket.SendAsync(message, WebSocketMessageType.Binary, true, token);

        await Final(other, bye, ct);
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> OwnSocket(Stream stream, ArraySegment<byte> bye, CancellationToken ct)
    {
        async Task Greet()
        {
            var mine = HandoffWebSocket.CreateFromStream(stream, false, null, TimeSpan.Zero);
            await mine.SendAsync(bye, WebSocketMessageType.Binary, true, ct);
        }

        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await Greet();
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> NotFinal(HandoffWebSocket ws, ArraySegment<byte> part, CancellationToken ct)
    {
        Task Part() => ws.SendAsync(part, WebSocketMessageType.Binary, false, ct);

        await Part();
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> Reassigned(HandoffWebSocket ws, ArraySegment<byte> bye, ArraySegment<byte> buffer, CancellationToken ct)
    {
        Func<Task> step = () => ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct);
        step = async () => await ws.ReceiveAsync(buffer, ct);
        await step();
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> HandedOn(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
    {
        Func<Task> sendBye = () => ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct);
        await Task.Run(sendBye);
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> CalledOnlyAfter(HandoffWebSocket ws, ArraySegment<byte> bye, ArraySegment<byte> buffer, CancellationToken ct)
    {
        Task Send() => ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct);

        var raw = await ws.DetachAsync(ct);
        await Send();
        return raw;
    }
}");
    }
}
