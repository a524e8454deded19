using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers;
using WebSocketHandoff.CodeFixes.Fixers;
using WebSocketHandoff.CodeFixes.Tests.Infrastructure;

namespace WebSocketHandoff.CodeFixes.Tests
{
    /// <summary>
    /// WSH006 on a final send in a <c>finally</c> with the detach after the <c>try</c>, and on a send inside a local function
    /// or lambda whose call precedes the detach: reported by the real analyzer, and no fix is offered (the send and the
    /// detach are not in one statement list; the code is left as written).
    /// </summary>
    public class UseSendAndDetachThroughCallsTests
    {
        private const string Usings = """
            using System;
            using System.IO;
            using System.Net.WebSockets;
            using System.Text;
            using System.Threading;
            using System.Threading.Tasks;
            using WebSocketHandoff;


            """;

        private static IEnumerable<DiagnosticAnalyzer> Analyzers() => new DiagnosticAnalyzer[] { new NonAtomicFinalSendAnalyzer() };

        private static Task VerifyNoFixAsync(string source) =>
            new FixTest<UseSendAndDetachCodeFixProvider>(analyzers: Analyzers) { TestCode = Usings + source, FixedCode = Usings + source }.RunAsync();

        [Fact]
        public Task No_fix_for_a_send_in_a_finally_or_in_a_function_called_before_the_detach() => VerifyNoFixAsync(
            """
            class Switcher
            {
                async Task<Stream> FinallyAsync(HandoffWebSocket ws, ArraySegment<byte> bye, Func<Task> work, CancellationToken ct)
                {
                    try
                    {
                        await work();
                    }
                    finally
                    {
                        await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
                    }

                    return await ws.DetachAsync(ct);
                }

                async Task<Stream> LocalFunctionAsync(HandoffWebSocket ws, CancellationToken ct)
                {
                    Task SendText(string text) => {|WSH006:ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct)|};

                    await SendText("upgrade");
                    return await ws.DetachAsync(ct);
                }

                Stream LambdaSync(HandoffWebSocket ws, ArraySegment<byte> bye)
                {
                    Action sendBye = () => {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, CancellationToken.None)|}.Wait();
                    sendBye();
                    return ws.Detach();
                }
            }
            """);

        [Fact]
        public Task No_fix_for_a_call_of_a_method_of_the_type_that_sends_before_the_detach() => VerifyNoFixAsync(
            """
            class Connection
            {
                private readonly HandoffWebSocket _ws = null!;

                private Task SendTextAsync(string text, CancellationToken ct) =>
                    _ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);

                public async Task<Stream> UpgradeAsync(CancellationToken ct)
                {
                    await {|WSH006:SendTextAsync("upgrade", ct)|};
                    return await _ws.DetachAsync(ct);
                }
            }
            """);
    }
}
