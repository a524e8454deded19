using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers;
using WebSocketHandoff.CodeFixes.Fixers;
using WebSocketHandoff.CodeFixes.Tests.Infrastructure;

namespace WebSocketHandoff.CodeFixes.Tests
{
    /// <summary>The WSH006 fix against the package's real analyzer.</summary>
    public class UseSendAndDetachEndToEndTests
    {
        private static IEnumerable<DiagnosticAnalyzer> Analyzers() => new DiagnosticAnalyzer[] { new NonAtomicFinalSendAnalyzer() };

        [Fact]
        public async Task Fix_of_the_real_WSH006_merges_the_send_into_the_detach_past_unrelated_statements()
        {
            await new FixTest<UseSendAndDetachCodeFixProvider>(analyzers: Analyzers)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Text;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task<Stream> RunAsync(HandoffWebSocket ws, CancellationToken ct)
                        {
                            var bytes = Encoding.UTF8.GetBytes("UPGRADE");
                            await {|WSH006:ws.SendAsync(new ArraySegment<byte>(bytes), WebSocketMessageType.Text, endOfMessage: true, ct)|}.ConfigureAwait(false);
                            Console.WriteLine("switching");
                            var raw = await ws.DetachAsync(ct).ConfigureAwait(false);
                            return raw;
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Text;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task<Stream> RunAsync(HandoffWebSocket ws, CancellationToken ct)
                        {
                            var bytes = Encoding.UTF8.GetBytes("UPGRADE");
                            Console.WriteLine("switching");
                            var raw = await ws.SendAndDetachAsync(new ArraySegment<byte>(bytes), WebSocketMessageType.Text, ct).ConfigureAwait(false);
                            return raw;
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_of_the_real_WSH006_keeps_blocking_waits_in_synchronous_code()
        {
            await new FixTest<UseSendAndDetachCodeFixProvider>(analyzers: Analyzers)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        Stream Run(HandoffWebSocket ws, ReadOnlyMemory<byte> last)
                        {
                            {|WSH006:ws.SendAsync(last, WebSocketMessageType.Binary, WebSocketMessageFlags.EndOfMessage, CancellationToken.None)|}.GetAwaiter().GetResult();
                            return ws.DetachAsync().GetAwaiter().GetResult();
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        Stream Run(HandoffWebSocket ws, ReadOnlyMemory<byte> last)
                        {
                            return ws.SendAndDetachAsync(last, WebSocketMessageType.Binary).GetAwaiter().GetResult();
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task No_fix_of_the_real_WSH006_for_a_synchronous_Detach_in_a_method_that_cannot_await()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading;
                using WebSocketHandoff;

                class Bridge
                {
                    Stream Run(HandoffWebSocket ws, ArraySegment<byte> last)
                    {
                        {|WSH006:ws.SendAsync(last, WebSocketMessageType.Binary, true, CancellationToken.None)|}.Wait();
                        return ws.Detach();
                    }
                }
                """;
            await new FixTest<UseSendAndDetachCodeFixProvider>(analyzers: Analyzers) { TestCode = source, FixedCode = source }.RunAsync();
        }
    }
}
